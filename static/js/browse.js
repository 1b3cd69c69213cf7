// Browse pages: polling pauses while the tab is hidden (no eval-based hx-trigger filter, so a strict CSP
// keeps working), and resumes with an immediate refresh when the tab is shown again.
(function () {
  document.addEventListener("htmx:confirm", function (event) {
    var source = event.detail && event.detail.elt;
    if (document.visibilityState !== "visible" && source && source.hasAttribute("data-poll-visible-only")) {
      event.preventDefault();
    }
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState !== "visible" || !window.htmx) { return; }
    document.querySelectorAll("[data-poll-visible-only]").forEach(function (element) {
      window.htmx.trigger(element, "poll-resume");
    });
  });
})();

// "Select all" checkboxes: <input type=checkbox data-select-all="nodes"> checks every box named "nodes"
// in the same form, including rows "Load more" added later.
(function () {
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("input[data-select-all]")) { return; }
    var form = box.form || document;
    form.querySelectorAll("input[type=checkbox][name='" + box.getAttribute("data-select-all") + "']").forEach(function (item) {
      item.checked = box.checked;
    });
  });
})();
