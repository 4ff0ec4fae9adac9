// The dashboard's admissions chart: cumulative admissions against the pace that meets the quota,
// the linear projection and the pipeline forecast. The figures come from the page (json_script,
// computed by reports/dashboard.py); this file only draws them with the vendored Chart.js.
(function () {
  "use strict";
  var source = document.getElementById("dashboard-chart");
  var canvas = document.getElementById("admissions-chart");
  if (!source || !canvas || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var red = "#b02a37";
  var grey = "#6c757d";
  var amber = "#e0a800";
  var blue = "#0d6efd";
  var number = new Intl.NumberFormat(document.documentElement.lang || "vi");

  var datasets = [
    {
      label: data.names.actual,
      data: data.series.actual,
      borderColor: red,
      backgroundColor: "rgba(176, 42, 55, 0.12)",
      fill: true,
      tension: 0.15,
      pointRadius: 0,
      pointHitRadius: 8,
      borderWidth: 2.5,
    },
    {
      label: data.names.projection,
      data: data.series.projection,
      borderColor: amber,
      borderDash: [2, 4],
      pointRadius: 0,
      pointHitRadius: 8,
      spanGaps: true,
      borderWidth: 2,
    },
    {
      label: data.names.forecast,
      data: data.series.forecast,
      borderColor: blue,
      backgroundColor: blue,
      pointStyle: "rectRot",
      pointRadius: 7,
      showLine: false,
    },
  ];
  if (data.target !== null) {
    datasets.splice(1, 0, {
      label: data.names.pace,
      data: data.series.pace,
      borderColor: grey,
      borderDash: [6, 4],
      pointRadius: 0,
      pointHitRadius: 8,
      borderWidth: 1.5,
    });
  }

  new Chart(canvas, {
    type: "line",
    data: { labels: data.labels, datasets: datasets },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false, // figures, not a show: drawn at once (and right in print and screenshots)
      interaction: { mode: "index", intersect: false },
      scales: {
        x: { ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: canvas.clientWidth < 500 ? 4 : 8 } },
        y: { beginAtZero: true, ticks: { precision: 0 } },
      },
      plugins: {
        legend: { position: "bottom", labels: { boxWidth: 14, usePointStyle: true } },
        tooltip: {
          callbacks: {
            label: function (item) {
              return item.dataset.label + ": " + number.format(Math.round(item.parsed.y * 10) / 10);
            },
          },
        },
      },
    },
  });
})();
