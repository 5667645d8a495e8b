// Draws each process of a case with bpmn-js (served locally) and marks completed, active and overdue
// activities; clicking an activity filters the timeline to its events.
(function () {
  document.querySelectorAll('.xl-diagram').forEach(function (el) {
    var viewer = new BpmnJS({ container: el });
    var states = JSON.parse(el.dataset.states || '{}');
    fetch(el.dataset.xml, { credentials: 'same-origin' })
      .then(function (r) { return r.text(); })
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () {
        var canvas = viewer.get('canvas');
        canvas.zoom('fit-viewport');
        Object.keys(states).forEach(function (id) {
          try { canvas.addMarker(id, 'xl-' + states[id]); } catch (e) { /* not drawn */ }
        });
        viewer.get('eventBus').on('element.click', function (e) {
          var id = e.element.id;
          var rows = document.querySelectorAll('#timeline tr[data-bpmn-id]');
          var any = false;
          rows.forEach(function (row) {
            var hit = row.dataset.bpmnId === id;
            row.classList.toggle('table-info', hit);
            any = any || hit;
          });
          if (any) { document.getElementById('timeline').scrollIntoView({ behavior: 'smooth' }); }
        });
      })
      .catch(function (err) { el.textContent = 'BPMN: ' + err; });
  });
})();
