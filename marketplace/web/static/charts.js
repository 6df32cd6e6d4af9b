// Draw each dashboard chart from the JSON the server put beside its table (the same rows, never other numbers).
document.addEventListener("DOMContentLoaded", function () {
  if (!window.echarts) return;
  document.querySelectorAll(".chart[data-chart]").forEach(function (el) {
    var spec = JSON.parse(el.getAttribute("data-chart"));
    var chart = echarts.init(el, null, { renderer: "svg" });
    var num = function (v) { return Number(v); };
    var option;
    if (spec.type === "pie") {
      option = { tooltip: { trigger: "item" }, color: spec.colours,
        series: [{ type: "pie", radius: ["35%", "65%"], name: spec.series[0].name,
          data: spec.categories.map(function (c, i) { return { name: c, value: num(spec.series[0].data[i]) }; }),
          label: { formatter: "{b}：{c} " + spec.unit } }] };
    } else if (spec.type === "funnel") {
      option = { tooltip: { trigger: "item" }, color: spec.colours,
        series: [{ type: "funnel", sort: "none", name: spec.series[0].name, label: { formatter: "{b}：{c} " + spec.unit },
          data: spec.categories.map(function (c, i) { return { name: c, value: num(spec.series[0].data[i]) }; }) }] };
    } else {
      var single = spec.series.length === 1 && spec.type === "bar" && spec.colours.length === spec.categories.length;
      option = { tooltip: { trigger: "axis" }, legend: { show: spec.series.length > 1 }, color: spec.colours,
        grid: { left: 48, right: 16, top: 32, bottom: 64 },
        xAxis: { type: "category", data: spec.categories, axisLabel: { interval: 0, rotate: spec.categories.length > 6 ? 30 : 0 } },
        yAxis: { type: "value", name: spec.unit },
        series: spec.series.map(function (s) {
          return { name: s.name, type: spec.type === "line" ? "line" : "bar",
            data: s.data.map(function (v, i) { return single ? { value: num(v), itemStyle: { color: spec.colours[i] } } : num(v); }) };
        }) };
    }
    chart.setOption(option);
    el.setAttribute("data-rendered", "1");
    window.addEventListener("resize", function () { chart.resize(); });
  });
});
