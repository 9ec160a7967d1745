// Workspace keyboard shortcuts and small conveniences; everything also works without them.
(function () {
  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable]") !== null;
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var next = document.getElementById("next-case-form");
    if (event.key === "n" && next) { event.preventDefault(); next.requestSubmit(); }
    if (event.key === "/") {
      var search = document.getElementById("id_q");
      if (search) { event.preventDefault(); search.focus(); }
    }
    var panel = document.querySelector("details[data-panel][data-shortcut='" + event.key + "']");
    if (panel) {
      event.preventDefault();
      panel.dataset.focusWhenLoaded = "1";
      panel.open = true;  // its form is fetched on opening; focusFirstField runs once it is in
      focusFirstField(panel);
    }
  });
  function focusFirstField(panel) {
    var first = panel.querySelector("form select:not([id=template-picker]), form textarea, form input:not([type=hidden])");
    if (first && panel.dataset.focusWhenLoaded) {
      delete panel.dataset.focusWhenLoaded;
      first.focus();
    }
  }
  document.addEventListener("htmx:afterSwap", function (event) {
    var panel = event.target.closest("details[data-panel]");
    if (panel) focusFirstField(panel);
  });
  // A panel that is no longer open to the viewer answers 403 with a sentence: show it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if ((status === 403 || status === 404) && event.target.closest("details[data-panel]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  document.addEventListener("change", function (event) {
    var picker = event.target.closest("[data-template-target]");
    if (picker && picker.value) {
      fetch(picker.value, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (text) { document.querySelector(picker.dataset.templateTarget).value = text; });
    }
    var all = event.target.closest("[data-select-all]");
    if (all) {
      document.querySelectorAll("input[name=references]").forEach(function (box) {
        box.checked = all.checked;
      });
    }
  });
  // Buttons show progress and cannot be pressed twice while a form is being sent.
  document.addEventListener("submit", function (event) {
    var button = event.target.querySelector("button[type=submit]");
    if (button) { setTimeout(function () { button.disabled = true; }, 0); }
  });
})();
