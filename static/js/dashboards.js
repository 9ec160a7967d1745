// Dashboards: every <canvas data-chart="ID"> is drawn from the JSON in <script id="ID">
// ({type, stacked, percent, max, data}), written by the page with json_script.
(function () {
  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source || !window.Chart) return;
    var config = JSON.parse(source.textContent);
    var y = { beginAtZero: true, stacked: config.stacked, ticks: { precision: 0 } };
    if (config.max) y.max = config.max;
    if (config.percent) {
      y.ticks = { callback: function (value) { return value + "%"; } };
    }
    canvas.chart = new window.Chart(canvas, {
      type: config.type,
      data: config.data,
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        spanGaps: true,
        plugins: { legend: { position: "bottom" } },
        scales: { x: { stacked: config.stacked }, y: y }
      }
    });
    canvas.dataset.drawn = "1";
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
    // The weekly report's Print button (no inline handler: the Content-Security-Policy).
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  });
  // Charts drawn for the screen are redrawn to the printed page's width (and back).
  function resizeAll() {
    if (!window.Chart) return;
    Object.values(window.Chart.instances).forEach(function (chart) { chart.resize(); });
  }
  window.addEventListener("beforeprint", resizeAll);
  window.addEventListener("afterprint", resizeAll);
})();
