// Behaviour for every page, kept out of the HTML so that the Content-Security-Policy allows no inline script.
(function () {
  document.documentElement.classList.remove('no-js');  // (menus open by script, not by the no-script CSS)
  // A form sent back with errors: the first field in error receives the focus, so that its message (linked by
  // aria-describedby) is read out and typing goes where the correction is needed.
  // Again once loaded, unless the user has moved on: a page reached by the skip link keeps #main in its
  // address, and the browser would otherwise leave the focus on that target.
  // A row just added (a form's "add a row" button, a round trip to the server) gets the focus on its first field,
  // where the keyboard user goes on typing.
  var invalid = document.querySelector('main [aria-invalid="true"], main .is-invalid') ||
    document.querySelector('main [data-focus-row] select, main [data-focus-row] input');
  if (invalid && typeof invalid.focus === 'function') {
    invalid.focus();
    window.addEventListener('load', function () {
      window.setTimeout(function () {
        var at = document.activeElement;
        if (!at || at === document.body || at === document.getElementById('main')) { invalid.focus(); }
      }, 0);
    });
  }
  // Irreversible steps ask once, and only when the browser finds the form complete.
  document.querySelectorAll('form[data-confirm]').forEach(function (form) {
    form.addEventListener('submit', function (ev) {
      if (typeof form.checkValidity === 'function' && !form.checkValidity()) { return; }
      if (!window.confirm(form.dataset.confirm)) { ev.preventDefault(); }
    });
  });
  // Process versions (administration): draw a version's diagram in place instead of showing its XML.
  document.querySelectorAll('a.xl-show').forEach(function (a) {
    a.addEventListener('click', function (ev) {
      if (typeof BpmnJS === 'undefined') { return; }
      ev.preventDefault();
      var el = document.getElementById(a.dataset.target);
      el.classList.add('xl-proc-open');
      var viewer = new BpmnJS({ container: el });
      fetch(a.href, { credentials: 'same-origin' }).then(function (r) { return r.text(); })
        .then(function (xml) { return viewer.importXML(xml); })
        .then(function () { viewer.get('canvas').zoom('fit-viewport'); });
    });
  });
})();
