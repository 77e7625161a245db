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
  // Move focus to an error summary so screen-reader users hear what went wrong.
  var summary = document.querySelector(".error-summary");
  if (summary) summary.focus();
})();
