// Monitoring tab: draws one uPlot chart per metric from the JSON the page carries (script#monitor-data:
// {"statistic", "t": [epoch seconds], "series": [{"name", "label", "unit", "v": [value|null]}]}).
// Times are the viewer's local time with the UTC offset; colours follow the light/dark CSS variables.
(function () {
  "use strict";
  var charts = [];

  function pad(n) { return String(n).padStart(2, "0"); }

  function offsetText(date) {
    var minutes = -date.getTimezoneOffset();
    var sign = minutes >= 0 ? "+" : "-";
    minutes = Math.abs(minutes);
    return "UTC" + sign + pad(Math.floor(minutes / 60)) + ":" + pad(minutes % 60);
  }

  function localTime(seconds) {
    var d = new Date(seconds * 1000);
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " +
      pad(d.getHours()) + ":" + pad(d.getMinutes()) + " " + offsetText(d);
  }

  function cssVar(name, fallback) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  // Megabytes grow large (disk capacity): show them as GB or TB (decimal, as the API's unit is).
  function scaled(value, unit) {
    if (unit === "MB" && Math.abs(value) >= 1e6) { return [value / 1e6, "TB"]; }
    if (unit === "MB" && Math.abs(value) >= 1e3) { return [value / 1e3, "GB"]; }
    return [value, unit];
  }

  function formatNumber(value, unit, digits) {
    var parts = scaled(value, unit);
    var factor = Math.pow(10, digits);
    return (Math.round(parts[0] * factor) / factor).toLocaleString() + (parts[1] ? " " + parts[1] : "");
  }

  function valueFormatter(unit) {
    return function (u, value, seriesIndex, index) {
      if (index == null) { return "—"; }
      return value == null ? "no data" : formatNumber(value, unit, 2);
    };
  }

  function destroyCharts() {
    charts.forEach(function (chart) { chart.destroy(); });
    charts = [];
  }

  function chartWidth(figure) {
    return Math.max(280, Math.floor(figure.getBoundingClientRect().width) - 32);
  }

  function drawCharts() {
    destroyCharts();
    var source = document.getElementById("monitor-data");
    if (!source || !window.uPlot) { return; }
    var payload = JSON.parse(source.textContent);
    var line = cssVar("--chart-line", "#0b5cad");
    var fill = cssVar("--chart-fill", "rgba(11, 92, 173, 0.12)");
    var axis = cssVar("--muted", "#5d6676");
    var grid = cssVar("--line", "#dde1e8");
    document.querySelectorAll("figure.chart[data-series-index]").forEach(function (figure) {
      var series = payload.series[Number(figure.getAttribute("data-series-index"))];
      var target = figure.querySelector(".chart-canvas");
      if (!series || !target) { return; }
      target.textContent = "";
      var percent = series.unit === "%";
      var options = {
        width: chartWidth(figure),
        height: 220,
        cursor: { sync: { key: "pool-monitor" } },
        legend: { live: true },
        scales: { x: { time: true }, y: percent ? { range: [0, 100] } : { auto: true } },
        series: [
          { label: "Time", value: function (u, ts) { return ts == null ? "—" : localTime(ts); } },
          { label: series.label + " · " + payload.statistic, stroke: line, fill: fill, width: 1.5, value: valueFormatter(series.unit) }
        ],
        axes: [
          { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } },
          {
            stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, size: 72,
            values: function (u, splits) { return splits.map(function (v) { return v == null ? "" : formatNumber(v, series.unit, 1); }); }
          }
        ]
      };
      charts.push(new window.uPlot(options, [payload.t, series.v], target));
    });
  }

  function resizeCharts() {
    charts.forEach(function (chart) {
      var figure = chart.root.closest("figure");
      if (figure) { chart.setSize({ width: chartWidth(figure), height: 220 }); }
    });
  }

  // The range form: send the browser's UTC offset with custom dates, and show them only for "custom".
  function prepareForm(root) {
    root.querySelectorAll("form.monitor-form").forEach(function (form) {
      var now = new Date();
      var tz = form.querySelector("input[name=tz]");
      if (tz) { tz.value = String(-now.getTimezoneOffset()); }
      form.querySelectorAll(".tz-label").forEach(function (label) { label.textContent = "(local time, " + offsetText(now) + ")"; });
      var range = form.querySelector("select[name=range]");
      var toggle = function () {
        form.querySelectorAll(".custom-range").forEach(function (field) {
          field.classList.toggle("is-hidden", range && range.value !== "custom");
        });
      };
      if (range) { range.addEventListener("change", toggle); toggle(); }
    });
  }

  function setUp(root) {
    prepareForm(root);
    drawCharts();
  }

  document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.target && event.target.querySelector && event.target.querySelector("form.monitor-form, #monitor-data")) {
      setUp(event.target);
    } else if (!document.getElementById("monitor-data")) {
      destroyCharts();
    }
  });
  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(resizeCharts, 150);
  });
  if (window.matchMedia) {
    window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", drawCharts);
  }
})();
