// Behaviour every page shares. The Content-Security-Policy allows no inline script or event
// handler (onchange=, onsubmit=), so pages say what they want with data- attributes instead.
(function () {
  // <select data-submit-on-change>: the language switcher sends its form when a language is picked.
  document.addEventListener("change", function (event) {
    var select = event.target.closest("select[data-submit-on-change]");
    if (select && select.form) select.form.requestSubmit();
  });
  // <form data-confirm="question">: asks before sending (withdrawing a dispute).
  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );
})();
