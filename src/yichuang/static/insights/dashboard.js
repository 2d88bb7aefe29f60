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

  // A long name ("云溪县人力资源和社会保障局") is set on two lines of at most
  // LINE characters instead of being cut; past two lines it ends in "…". The
  // tooltip keeps the whole name.
  var LINE = 11;
  function wrapName(name) {
    var text = String(name);
    if (text.length <= LINE) { return text; }
    var rest = text.slice(LINE);
    if (rest.length > LINE) { rest = rest.slice(0, LINE - 1) + "…"; }
    return text.slice(0, LINE) + "\n" + rest;
  }

  var b = data.breakdown;
  // Room for every row, a wrapped name included: the chart grows with the rows.
  var box = document.getElementById("chart-breakdown");
  if (box) { box.style.height = Math.max(280, b.names.length * 40 + 70) + "px"; }
  draw("chart-breakdown", {
    animation: false,
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    // containLabel: the grid starts after the widest label, whatever the names.
    grid: { left: 8, right: 40, top: 36, bottom: 24, containLabel: true },
    yAxis: { type: "category", data: b.names, inverse: true,
             axisLabel: { formatter: wrapName, lineHeight: 15, interval: 0 } },
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
