//! Small-cell suppression for what partners see.
//!
//! A table of counts comes with the sums it is known to obey: each [`Sum`] says that one
//! cell (a total) is the sum of others (its parts) — a question's respondents are the
//! sum of its options' counts when each respondent picks one, a segment's respondents
//! the sum of its options', an option's total the sum over a partition of segments.
//!
//! **Primary suppression**: every cell below `k` is hidden (zero included: "nobody in
//! this group" is a statement about each of them).
//! **Complementary suppression**: a sum with exactly one hidden cell gives it away
//! (the total minus the shown parts, or the parts added up), so another of its cells is
//! hidden, the smallest shown part first; this repeats until no sum has exactly one
//! hidden cell. What is shown is never changed, only hidden.

/// A total and the cells that add up to it (indices into the table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sum {
    pub total: usize,
    pub parts: Vec<usize>,
}

/// Which cells of `counts` to hide, given the sums they obey and the smallest count
/// that may be shown, `k`.
pub fn suppress(counts: &[i64], sums: &[Sum], k: i64) -> Vec<bool> {
    let mut hidden: Vec<bool> = counts.iter().map(|c| *c < k).collect();
    loop {
        let mut changed = false;
        for s in sums {
            let members = || std::iter::once(s.total).chain(s.parts.iter().copied());
            let hidden_count = dedup(members()).iter().filter(|i| hidden[**i]).count();
            if hidden_count != 1 {
                continue;
            }
            let shown_part =
                dedup(s.parts.iter().copied()).into_iter().filter(|i| !hidden[*i]).min_by_key(|i| (counts[*i], *i));
            let pick = shown_part.unwrap_or(s.total);
            if !hidden[pick] {
                hidden[pick] = true;
                changed = true;
            }
        }
        if !changed {
            return hidden;
        }
    }
}

fn dedup(cells: impl Iterator<Item = usize>) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::new();
    for c in cells {
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// A cross-tab of `rows` options by `cols` segments with its margins, laid out as
    /// [grand total, row totals.., column totals.., cells row by row..], and its sums.
    fn crosstab(cells: &[Vec<i64>]) -> (Vec<i64>, Vec<Sum>) {
        let rows = cells.len();
        let cols = cells.first().map_or(0, Vec::len);
        let row_total = |r: usize| 1 + r;
        let col_total = |c: usize| 1 + rows + c;
        let cell = |r: usize, c: usize| 1 + rows + cols + r * cols + c;
        let mut counts = vec![cells.iter().flatten().sum()];
        counts.extend(cells.iter().map(|r| r.iter().sum::<i64>()));
        counts.extend((0..cols).map(|c| cells.iter().map(|r| r[c]).sum::<i64>()));
        counts.extend(cells.iter().flatten().copied());
        let mut sums = vec![
            Sum { total: 0, parts: (0..rows).map(row_total).collect() },
            Sum { total: 0, parts: (0..cols).map(col_total).collect() },
        ];
        sums.extend((0..rows).map(|r| Sum { total: row_total(r), parts: (0..cols).map(|c| cell(r, c)).collect() }));
        sums.extend((0..cols).map(|c| Sum { total: col_total(c), parts: (0..rows).map(|r| cell(r, c)).collect() }));
        (counts, sums)
    }

    #[test]
    fn a_country_of_three_and_the_cell_a_total_would_give_away_are_hidden() {
        // Two answers (rows) by two countries (columns): the second country has 3 respondents.
        let (counts, sums) = crosstab(&[vec![40, 1], vec![30, 2]]);
        let hidden = suppress(&counts, &sums, 5);
        // The small country's total and both its cells are hidden…
        assert!(hidden[4] && hidden[6] && hidden[8]);
        // …and so are the big country's total (else the grand total minus it gives the small
        // one away) and its cell in each row (else the row total minus it does).
        assert!(hidden[3] && hidden[5] && hidden[7]);
        // The grand total and the answers' totals stay.
        assert!(!hidden[0] && !hidden[1] && !hidden[2]);
    }

    #[test]
    fn one_small_option_hides_the_next_smallest_so_the_total_cannot_give_it_back() {
        let counts = [100, 60, 37, 3];
        let sums = [Sum { total: 0, parts: vec![1, 2, 3] }];
        assert_eq!(suppress(&counts, &sums, 5), vec![false, false, true, true]);
    }

    proptest! {
        #[test]
        fn nothing_shown_is_below_k_and_no_sum_has_exactly_one_hidden_cell(
            cells in prop::collection::vec(prop::collection::vec(0i64..30, 1..5), 1..5),
            k in 1i64..10,
        ) {
            let width = cells[0].len();
            let cells: Vec<Vec<i64>> = cells.into_iter().map(|mut r| { r.resize(width, 0); r }).collect();
            let (counts, sums) = crosstab(&cells);
            let hidden = suppress(&counts, &sums, k);
            for (i, c) in counts.iter().enumerate() {
                prop_assert!(hidden[i] || *c >= k, "cell {i} = {c} shown below k = {k}");
            }
            for s in &sums {
                let n = std::iter::once(s.total).chain(s.parts.iter().copied()).filter(|i| hidden[*i]).count();
                prop_assert!(n != 1, "a sum with one hidden cell gives it away: {s:?}");
            }
        }

        #[test]
        fn a_table_with_only_large_cells_is_shown_whole(cells in prop::collection::vec(prop::collection::vec(5i64..100, 3), 1..4)) {
            let (counts, sums) = crosstab(&cells);
            prop_assert!(suppress(&counts, &sums, 5).iter().all(|h| !h));
        }
    }
}
