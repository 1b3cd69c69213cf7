// Adds the viewer's local time, with its UTC offset, next to every <time data-local-time> (which shows UTC).
(function () {
  function pad(n) { return String(n).padStart(2, "0"); }
  function local(date) {
    var offset = -date.getTimezoneOffset();
    var sign = offset >= 0 ? "+" : "-";
    offset = Math.abs(offset);
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) + " " +
      pad(date.getHours()) + ":" + pad(date.getMinutes()) + ":" + pad(date.getSeconds()) +
      " " + sign + pad(Math.floor(offset / 60)) + ":" + pad(offset % 60);
  }
  function render(root) {
    root.querySelectorAll("time[data-local-time]:not([data-local-done])").forEach(function (el) {
      var date = new Date(el.getAttribute("datetime"));
      if (isNaN(date)) { return; }
      var span = document.createElement("div");
      span.className = "muted local-time";
      span.textContent = local(date);
      el.after(span);
      el.setAttribute("data-local-done", "");
    });
  }
  document.addEventListener("DOMContentLoaded", function () { render(document); });
  document.addEventListener("htmx:afterSettle", function (event) { render(event.target); });
})();
