// Draws the dashboard charts from the JSON embedded in the page. The numbers
// are also in the tables beside each chart, so nothing is lost without script.
(function () {
  "use strict";
  var node = document.getElementById("dash-data");
  if (!node || typeof echarts === "undefined") { return; }
  var data = JSON.parse(node.textContent);
  var charts = [];

  function draw(id, option) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption(option);
    charts.push(chart);
  }

  var t = data.trend;
  draw("chart-trend", {
    animation: false,
    tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v + "%"; } },
    legend: { top: 0 },
    grid: { left: 40, right: 36, top: 36, bottom: 28 },
    xAxis: { type: "category", data: t.months },
    yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
    series: [
      { name: t.labels[0], type: "line", data: t.satisfaction, connectNulls: false,
        markLine: { silent: true, symbol: "none", data: [{ yAxis: t.goal, name: "95%" }],
                    lineStyle: { type: "dashed", color: "#1e7a46" } } },
      { name: t.labels[1], type: "line", data: t.one_visit },
      { name: t.labels[2], type: "line", data: t.on_time }
    ]
  });

  var b = data.breakdown;
  draw("chart-breakdown", {
    animation: false,
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 110, right: 40, top: 36, bottom: 24 },
    yAxis: { type: "category", data: b.names, inverse: true,
             axisLabel: { width: 100, overflow: "truncate" } },
    xAxis: [{ type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
            { type: "value", position: "top", show: false }],
    series: [
      { name: b.labels[0], type: "bar", data: b.satisfaction, xAxisIndex: 0 },
      { name: b.labels[1], type: "bar", data: b.tickets, xAxisIndex: 1, itemStyle: { opacity: 0.35 } }
    ]
  });

  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.resize(); });
  });
})();
