/**
 * The page's only script: sorting and filtering of the host table, a few lines of plain JS. It
 * reads the DOM (never data in the script), so its text is constant and the CSP allows it by hash.
 * Without it the table is complete, sorted by urgency, and the controls stay hidden.
 */
export const PAGE_SCRIPT = `
(function () {
  var table = document.getElementById('hosts-table');
  if (!table) return;
  var body = table.tBodies[0];
  // Host rows; a host's details row (class "more") follows it wherever it goes.
  var rows = Array.prototype.slice.call(body.rows).filter(function (r) { return !r.classList.contains('more'); });
  var more = rows.map(function (r) { var n = r.nextElementSibling; return n && n.classList.contains('more') ? n : null; });
  var text = rows.map(function (r, i) { return (r.textContent + ' ' + (more[i] ? more[i].textContent : '')).toLowerCase(); });
  var query = document.getElementById('host-query');
  var flag = document.getElementById('host-flag');
  var count = document.getElementById('host-count');
  document.getElementById('host-controls').hidden = false;

  function filter() {
    var q = query.value.trim().toLowerCase();
    var f = flag.value;
    var shown = 0;
    rows.forEach(function (r, i) {
      var flags = ' ' + (r.getAttribute('data-flags') || '') + ' ';
      var ok = (!q || text[i].indexOf(q) !== -1) && (!f || flags.indexOf(' ' + f + ' ') !== -1);
      r.hidden = !ok;
      if (more[i]) more[i].hidden = !ok;
      if (ok) shown++;
    });
    var noun = rows.length === 1 ? ' host' : ' hosts';
    count.textContent = shown === rows.length ? rows.length + noun : shown + ' of ' + rows.length + noun;
  }

  function key(row, index, numeric) {
    var cell = row.cells[index];
    // A failed host's row has one cell across the columns after Host: it sorts first ascending.
    if (!cell || cell.colSpan > 1) return numeric ? -Infinity : '';
    var v = cell.getAttribute('data-v');
    if (v === null) v = cell.textContent.trim();
    return numeric ? Number(v) : v.toLowerCase();
  }

  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  heads.forEach(function (th, index) {
    var button = th.querySelector('button');
    if (!button) return;
    button.addEventListener('click', function () {
      var numeric = th.getAttribute('data-type') === 'num';
      var dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
      heads.forEach(function (h) { h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
      var order = rows.map(function (r, i) { return { r: r, k: key(r, index, numeric), i: i }; });
      order.sort(function (a, b) { return (a.k < b.k ? -1 : a.k > b.k ? 1 : a.i - b.i) * dir; });
      order.forEach(function (o) { body.appendChild(o.r); if (more[o.i]) body.appendChild(more[o.i]); });
    });
  });

  query.addEventListener('input', filter);
  flag.addEventListener('change', filter);
  filter();
})();
`;
