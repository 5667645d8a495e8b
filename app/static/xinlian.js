// Behaviour for every page, kept out of the HTML so that the Content-Security-Policy allows no inline script.
(function () {
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
