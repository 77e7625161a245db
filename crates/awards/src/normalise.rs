//! Combining judges' scores fairly. Each judge's totals are turned into z-scores over
//! that judge's own totals (how far above or below their own average, in their own
//! standard deviations) before the judges are averaged, so a harsh judge and a generous
//! one pull equally, and adding a constant to, or multiplying by a positive factor,
//! every score of one judge changes nothing.
//!
//! Rules this module states once:
//! - **One score, or all scores equal**: the judge's totals say nothing about order, so
//!   each counts as 0 (their average) — they neither lift nor sink anyone.
//! - **Combined figure**: the mean of a nominee's z-scores over the judges who scored them.
//! - **Tie-break**: equal combined figures (to nine decimal places) keep the nominees'
//!   nomination order (earliest nominated first); a nominee no judge scored ranks after
//!   every scored one, again in nomination order.

use std::collections::HashMap;

use uuid::Uuid;

/// One judge's weighted total for one nominee.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Total {
    pub judge: Uuid,
    pub nominee: Uuid,
    pub value: f64,
}

/// A total with its z-score over the judge's own totals.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Normalised {
    pub judge: Uuid,
    pub nominee: Uuid,
    pub raw: f64,
    pub z: f64,
}

/// The weighted mean of one judge's criterion scores (`(score, weight)` pairs), or None
/// when there are no positive weights.
pub fn weighted_total(scores: &[(i64, i64)]) -> Option<f64> {
    let weights: i64 = scores.iter().map(|(_, w)| *w).sum();
    if weights <= 0 {
        return None;
    }
    Some(scores.iter().map(|(s, w)| (*s * *w) as f64).sum::<f64>() / weights as f64)
}

/// Each total with its z-score over its judge's totals.
pub fn normalise(totals: &[Total]) -> Vec<Normalised> {
    let mut by_judge: HashMap<Uuid, Vec<f64>> = HashMap::new();
    for t in totals {
        by_judge.entry(t.judge).or_default().push(t.value);
    }
    let spread: HashMap<Uuid, (f64, f64)> = by_judge.into_iter().map(|(j, v)| (j, mean_and_sd(&v))).collect();
    totals
        .iter()
        .map(|t| {
            let (mean, sd) = spread[&t.judge];
            Normalised { judge: t.judge, nominee: t.nominee, raw: t.value, z: z_score(t.value, mean, sd) }
        })
        .collect()
}

fn mean_and_sd(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    (mean, variance.sqrt())
}

/// A spread too small to tell nominees apart (one score, all equal) gives 0.
fn z_score(value: f64, mean: f64, sd: f64) -> f64 {
    if sd <= f64::EPSILON * mean.abs().max(1.0) * 16.0 { 0.0 } else { (value - mean) / sd }
}

/// Each scored nominee's combined figure: the mean of their z-scores.
pub fn combine(normalised: &[Normalised]) -> HashMap<Uuid, f64> {
    let mut sums: HashMap<Uuid, (f64, u32)> = HashMap::new();
    for n in normalised {
        let e = sums.entry(n.nominee).or_insert((0.0, 0));
        e.0 += n.z;
        e.1 += 1;
    }
    sums.into_iter().map(|(k, (sum, count))| (k, sum / count as f64)).collect()
}

/// `in_nomination_order` ranked best first by `combined`, under the tie-break above.
pub fn rank(in_nomination_order: &[Uuid], combined: &HashMap<Uuid, f64>) -> Vec<Uuid> {
    let mut ranked: Vec<(usize, Uuid)> = in_nomination_order.iter().copied().enumerate().collect();
    // Sort keys rounded to nine decimals, so rounding noise is not a difference.
    let key = |id: &Uuid| combined.get(id).map(|c| (c * 1e9).round() as i64);
    ranked.sort_by(|(ia, a), (ib, b)| match (key(a), key(b)) {
        (Some(x), Some(y)) => y.cmp(&x).then(ia.cmp(ib)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => ia.cmp(ib),
    });
    ranked.into_iter().map(|(_, id)| id).collect()
}

/// The ranking of `in_nomination_order` from the judges' totals.
pub fn ranking(in_nomination_order: &[Uuid], totals: &[Total]) -> Vec<Uuid> {
    rank(in_nomination_order, &combine(&normalise(totals)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ids(n: usize) -> Vec<Uuid> {
        (0..n).map(|i| Uuid::from_u128(i as u128 + 1)).collect()
    }

    /// Judges (by index) each scoring some nominees (by index) 1 to 10.
    fn panel() -> impl Strategy<Value = (usize, Vec<(usize, usize, i64)>)> {
        (2usize..7).prop_flat_map(|nominees| {
            let score = (0usize..4, 0..nominees, 1i64..=10);
            (Just(nominees), proptest::collection::vec(score, 1..30))
        })
    }

    fn totals_of(scores: &[(usize, usize, i64)], judge_ids: &[Uuid], nominee_ids: &[Uuid]) -> Vec<Total> {
        // One total per judge and nominee: the last score given wins.
        let mut seen: HashMap<(usize, usize), i64> = HashMap::new();
        for (j, n, s) in scores {
            seen.insert((*j, *n), *s);
        }
        let mut out: Vec<Total> = seen
            .into_iter()
            .map(|((j, n), s)| Total { judge: judge_ids[j], nominee: nominee_ids[n], value: s as f64 })
            .collect();
        out.sort_by_key(|t| (t.judge, t.nominee));
        out
    }

    proptest! {
        #[test]
        fn shifting_or_scaling_one_judges_scores_changes_no_ranking(
            (nominees, scores) in panel(),
            judge in 0usize..4,
            shift in -20.0f64..20.0,
            factor in 0.05f64..20.0,
        ) {
            let judges = ids(4);
            let order: Vec<Uuid> = (0..nominees).map(|i| Uuid::from_u128(1000 + i as u128)).collect();
            let totals = totals_of(&scores, &judges, &order);
            let moved: Vec<Total> = totals
                .iter()
                .map(|t| if t.judge == judges[judge] { Total { value: t.value * factor + shift, ..*t } } else { *t })
                .collect();
            prop_assert_eq!(ranking(&order, &totals), ranking(&order, &moved));
        }

        #[test]
        fn every_judges_z_scores_average_zero(
            (nominees, scores) in panel(),
        ) {
            let judges = ids(4);
            let order: Vec<Uuid> = (0..nominees).map(|i| Uuid::from_u128(1000 + i as u128)).collect();
            let normalised = normalise(&totals_of(&scores, &judges, &order));
            for j in &judges {
                let zs: Vec<f64> = normalised.iter().filter(|n| n.judge == *j).map(|n| n.z).collect();
                if !zs.is_empty() {
                    prop_assert!((zs.iter().sum::<f64>() / zs.len() as f64).abs() < 1e-9);
                }
            }
        }
    }

    #[test]
    fn a_judge_with_one_score_neither_lifts_nor_sinks_the_nominee() {
        let [a, b] = [Uuid::from_u128(1), Uuid::from_u128(2)];
        let [x, y] = [Uuid::from_u128(10), Uuid::from_u128(11)];
        let totals = [
            Total { judge: a, nominee: x, value: 3.0 },
            Total { judge: a, nominee: y, value: 9.0 },
            Total { judge: b, nominee: x, value: 10.0 },
        ];
        let n = normalise(&totals);
        assert_eq!(n[2].z, 0.0, "the lone score counts as the judge's average");
        assert_eq!(ranking(&[x, y], &totals), vec![y, x], "judge a's preference decides");
    }

    #[test]
    fn a_harsh_judge_counts_the_same_as_a_generous_one() {
        let [harsh, kind] = [Uuid::from_u128(1), Uuid::from_u128(2)];
        let [x, y, z] = [Uuid::from_u128(10), Uuid::from_u128(11), Uuid::from_u128(12)];
        // The harsh judge prefers x, the generous one prefers y equally strongly; z is last for both.
        let totals = [
            Total { judge: harsh, nominee: x, value: 3.0 },
            Total { judge: harsh, nominee: y, value: 2.0 },
            Total { judge: harsh, nominee: z, value: 1.0 },
            Total { judge: kind, nominee: x, value: 8.0 },
            Total { judge: kind, nominee: y, value: 10.0 },
            Total { judge: kind, nominee: z, value: 5.0 },
        ];
        let ranked = ranking(&[x, y, z], &totals);
        assert_eq!(
            ranked,
            vec![x, y, z],
            "the harsh judge's clear preference for x carries as much as the other's for y"
        );
        let raw_sum = |n: Uuid| totals.iter().filter(|t| t.nominee == n).map(|t| t.value).sum::<f64>();
        assert!(raw_sum(y) > raw_sum(x), "raw sums would favour the generous judge's pick");
    }

    #[test]
    fn ties_keep_nomination_order_and_unscored_nominees_come_last() {
        let j = Uuid::from_u128(1);
        let [x, y, w] = [Uuid::from_u128(10), Uuid::from_u128(11), Uuid::from_u128(12)];
        let totals = [Total { judge: j, nominee: y, value: 5.0 }, Total { judge: j, nominee: x, value: 5.0 }];
        assert_eq!(ranking(&[w, x, y], &totals), vec![x, y, w]);
    }

    #[test]
    fn weighted_totals_follow_the_weights() {
        assert_eq!(weighted_total(&[(10, 3), (1, 1)]), Some(31.0 / 4.0));
        assert_eq!(weighted_total(&[]), None);
    }
}
