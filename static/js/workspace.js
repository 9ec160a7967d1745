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
    var panels = { r: "reply-form", d: "decide-form" };
    if (panels[event.key]) {
      var form = document.getElementById(panels[event.key]);
      if (form) {
        event.preventDefault();
        form.closest("details").open = true;
        var first = form.querySelector("select:not([id=template-picker]), textarea, input:not([type=hidden])");
        if (first) first.focus();
      }
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
