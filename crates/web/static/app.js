// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Filter long checkbox lists (conditions) as the member types.
  document.querySelectorAll("[data-filter-list]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("data-filter-list"));
    if (!list) return;
    var box = input.closest(".filter-box");
    if (box) box.hidden = false;
    input.addEventListener("input", function () {
      var q = input.value.trim().toLowerCase();
      list.querySelectorAll("li").forEach(function (li) {
        li.hidden = q !== "" && li.textContent.toLowerCase().indexOf(q) === -1;
      });
    });
  });
  // The unread notification count, kept current by server-sent events.
  // The header shows the navigation twice (a menu on phones, a row on wider screens), so
  // every copy of the badge is kept current.
  var badges = document.querySelectorAll("[data-unread-count]");
  if (badges.length && window.EventSource) {
    var live = document.getElementById("unread-live");
    var last = null;
    var stream = null;
    var listen = function () {
      stream = new EventSource("/notifications/stream");
      stream.addEventListener("unread", function (e) {
        var n = parseInt(e.data, 10) || 0;
        badges.forEach(function (badge) {
          badge.textContent = n > 0 ? String(n) : "";
          badge.hidden = n === 0;
        });
        if (live && last !== null && n > last) {
          live.textContent = "You have " + n + " unread notification" + (n === 1 ? "" : "s") + ".";
        }
        last = n;
      });
      // A session keeps one stream: another tab took it over. Step back (no reconnecting,
      // which would take it back and start a tug of war) until this tab is shown again.
      stream.addEventListener("replaced", function () {
        stream.close();
        stream = null;
      });
    };
    listen();
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible" && stream === null) listen();
    });
  }
  // Move focus to an error summary so screen-reader users hear what went wrong.
  var summary = document.querySelector(".error-summary");
  if (summary) summary.focus();
})();
