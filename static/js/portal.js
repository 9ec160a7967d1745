// Portal: upload progress for forms with files, and the prevention chart.
(function () {
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-upload-progress")) return;
    var files = form.querySelector("input[type=file]");
    if (!files || !files.files.length || !window.XMLHttpRequest) return;
    event.preventDefault();
    var bar = form.querySelector("progress");
    var status = form.querySelector("#upload-status");
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    bar.hidden = false;
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action || window.location.href);
    // Success answers with {"location": ...} instead of a redirect the XHR would follow.
    xhr.setRequestHeader("X-Upload-Progress", "1");
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) {
        bar.value = Math.round((e.loaded / e.total) * 100);
        if (status) status.textContent = bar.value + "%";
      }
    };
    xhr.onload = function () {
      var type = xhr.getResponseHeader("Content-Type") || "";
      if (xhr.status < 400 && type.indexOf("application/json") === 0) {
        window.location.assign(JSON.parse(xhr.responseText).location);
        return;
      }
      // Otherwise show what the server answered: the form with its errors.
      document.open();
      document.write(xhr.responseText);
      document.close();
    };
    xhr.onerror = function () {
      button.disabled = false;
      bar.hidden = true;
      // The words come from the page, in the seller's language (data-error-text).
      if (status) status.textContent = form.dataset.errorText;
    };
    xhr.send(new FormData(form));
  });
  document.addEventListener("DOMContentLoaded", function () {
    var canvas = document.getElementById("defects-chart");
    var data = document.getElementById("defects-data");
    if (canvas && data && window.Chart) {
      new window.Chart(canvas, {
        type: "bar",
        data: JSON.parse(data.textContent),
        options: { responsive: true, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } }
      });
    }
  });
})();
