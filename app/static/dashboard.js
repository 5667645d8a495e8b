// Monitoring dashboard charts (Chart.js, served locally); the figures come from a JSON data block.
(function () {
  var block = document.getElementById('xl-dashboard-data');
  if (!block || typeof Chart === 'undefined') { return; }
  var d = JSON.parse(block.textContent);
  function bar(id, labels, datasets, horizontal) {
    new Chart(document.getElementById(id), { type: 'bar', data: { labels: labels, datasets: datasets },
      options: { indexAxis: horizontal ? 'y' : 'x', plugins: { legend: { display: datasets.length > 1 } } } });
  }
  function values(rows, i) { return rows.map(function (r) { return r[i]; }); }
  bar('c-status', values(d.status, 0), [{ label: '', data: values(d.status, 1) }], true);
  bar('c-group', values(d.group, 0), [{ label: '', data: values(d.group, 1) }]);
  bar('c-month', values(d.month, 0), [{ label: '', data: values(d.month, 1) }]);
  bar('c-steps', values(d.steps, 0), [{ label: d.words.average, data: values(d.steps, 1) }, { label: d.words.p90, data: values(d.steps, 2) }], true);
  bar('c-ontime', values(d.ontime, 0), [{ label: '%', data: values(d.ontime, 1) }], true);
})();
