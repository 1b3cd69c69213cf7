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

// Times: the server writes UTC (<time datetime=… data-local>); show them in the viewer's time zone with
// the offset, e.g. "2025-01-01 09:00:05 UTC+01:00", keeping the UTC text as the tooltip.
(function () {
  function pad(n) { return String(n).padStart(2, "0"); }
  function localText(date) {
    var minutes = -date.getTimezoneOffset();
    var sign = minutes >= 0 ? "+" : "-";
    minutes = Math.abs(minutes);
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) + " " +
      pad(date.getHours()) + ":" + pad(date.getMinutes()) + ":" + pad(date.getSeconds()) +
      " UTC" + sign + pad(Math.floor(minutes / 60)) + ":" + pad(minutes % 60);
  }
  function localise(root) {
    root.querySelectorAll("time[data-local]:not([data-local-done])").forEach(function (element) {
      var date = new Date(element.getAttribute("datetime"));
      if (isNaN(date)) { return; }
      element.textContent = localText(date);
      element.setAttribute("data-local-done", "");
    });
  }
  document.addEventListener("DOMContentLoaded", function () { localise(document); });
  document.addEventListener("htmx:afterSettle", function () { localise(document); });
})();
