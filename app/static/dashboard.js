// Monitoring dashboard charts (Chart.js, served locally); the figures come from a JSON data block.
(function () {
  var block = document.getElementById('xl-dashboard-data');
  if (!block || typeof Chart === 'undefined') { return; }
  var d = JSON.parse(block.textContent);
  function bar(id, labels, datasets, horizontal, counts) {
    var canvas = document.getElementById(id), options = {
      indexAxis: horizontal ? 'y' : 'x', plugins: { legend: { display: datasets.length > 1 } } };
    if (horizontal) {
      // Every row is named (none skipped for want of room): the chart is as tall as its rows and their lines need.
      var lines = labels.reduce(function (n, l) { return n + (Array.isArray(l) ? l.length : 1); }, 0);
      canvas.parentNode.style.height = Math.max(200, 40 + lines * 20 + labels.length * 12 * datasets.length) + 'px';
      options.maintainAspectRatio = false;
      options.scales = { y: { ticks: { autoSkip: false } } };
    }
    if (counts) {  // (a number of cases is whole: no 0.5 steps on its axis)
      options.scales = options.scales || {};
      options.scales[horizontal ? 'x' : 'y'] = Object.assign(options.scales[horizontal ? 'x' : 'y'] || {}, { ticks: { precision: 0 } });
    }
    new Chart(canvas, { type: 'bar', data: { labels: labels, datasets: datasets }, options: options });
  }
  function values(rows, i) { return rows.map(function (r) { return r[i]; }); }
  // Long names (a unit such as 市发展改革委（市社会信用体系建设联席会议办公室）) are drawn on several lines, not cut off.
  // Long labels on several lines: Chinese every 10 characters; other text (English) between words, about 20
  // characters a line, never inside a word.
  function wrapped(rows) {
    return values(rows, 0).map(function (name) {
      var text = String(name), lines = [];
      if (!/[\u3400-\u9fff]/.test(text)) {  // (no Chinese: whole words, one word never split)
        text.split(/\s+/).forEach(function (word) {
          var last = lines.length - 1;
          if (last >= 0 && (lines[last] + ' ' + word).length <= 20) { lines[last] += ' ' + word; } else { lines.push(word); }
        });
      } else {
        for (var i = 0; i < text.length; i += 10) { lines.push(text.slice(i, i + 10)); }
      }
      return lines.length > 1 ? lines : text;
    });
  }
  bar('c-status', wrapped(d.status), [{ label: '', data: values(d.status, 1) }], true, true);
  bar('c-group', values(d.group, 0), [{ label: '', data: values(d.group, 1) }], false, true);
  bar('c-month', values(d.month, 0), [{ label: '', data: values(d.month, 1) }], false, true);
  bar('c-unit', wrapped(d.unit), [{ label: '', data: values(d.unit, 1) }], true, true);
  bar('c-steps', wrapped(d.steps), [{ label: d.words.average, data: values(d.steps, 1) }, { label: d.words.p90, data: values(d.steps, 2) }], true);
  bar('c-ontime', wrapped(d.ontime), [{ label: '%', data: values(d.ontime, 1) }], true);
})();
