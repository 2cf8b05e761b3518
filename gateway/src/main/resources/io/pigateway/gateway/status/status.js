// pi-gateway status page: polls /status.json every few seconds and redraws the page in place.
// The server renders the same page as plain HTML, so everything here is an enhancement.
(function () {
  'use strict';
  var POLL_MS = 2000;
  var HOUR = 3600;
  var params = new URLSearchParams(location.search);
  var filter = params.get('state') || 'all';
  var sort = params.get('sort') || 'id';
  var device = null;          // the device whose plot is open
  var last = null;            // the newest /status.json
  var series = {t: [], readingsPerSecond: [], ackP50Ms: [], ackP99Ms: [], queue: [], commitP50Ms: [], commitP99Ms: []};
  var plots = {};

  function $(id) { return document.getElementById(id); }
  function text(el, s) { if (el) { el.textContent = s; } }
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c];
    });
  }
  function duration(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    if (s < 120) { return s + ' s'; }
    if (s < 7200) { return Math.floor(s / 60) + ' min'; }
    if (s < 172800) { return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min'; }
    return Math.floor(s / 86400) + ' d';
  }
  function num(x) { return x === null || x === undefined ? '—' : x >= 100 ? String(Math.round(x)) : x.toFixed(1); }
  function iso(ms) { return ms ? new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z') : 'never'; }

  function setItem(id, value, level, detail) {
    var el = $('s-' + id);
    if (!el) { return; }
    el.className = 'item ' + level;
    text(el.querySelector('strong'), value);
    text(el.querySelector('.detail'), detail);
  }

  function summary(d) {
    var g = d.gateway, st = g.store;
    var down = st.state === 'read-only' || st.state === 'full' ? st.state : 'down';
    setItem('store', st.up ? 'up' : down, st.up ? 'ok' : 'bad',
      st.type + (st.up ? '' : '; down since ' + iso(st.downSince) + ': ' + st.problem));
    setItem('listener', g.listener.up ? 'accepting' : 'not accepting', g.listener.up ? 'ok' : 'bad', g.listener.address);
    setItem('backlog', g.queue.depth + ' / ' + g.queue.capacity, g.queue.depth > g.queue.capacity / 2 ? 'warn' : 'ok',
      'readings waiting for the database');
    setItem('rate', num(g.readingsPerSecond), '', 'committed, whole gateway');
    setItem('connections', String(g.devicesConnected), '', g.connections + ' connections open');
    setItem('tls', g.tls ? 'on' : 'off', g.tls ? 'ok' : 'warn', g.tlsSummary);
    var open = g.auth === 'open';
    setItem('auth', g.auth, open ? 'bad' : 'ok',
      open ? 'any device that reaches the port is accepted without a secret' : 'devices prove a secret');
    setItem('version', g.version, '', 'uptime ' + duration(g.uptimeSeconds * 1000));
    var bad = !st.up || !g.listener.up;
    var head = $('headline');
    head.className = bad ? 'bad' : 'ok';
    text(head, !st.up ? 'database down' : !g.listener.up ? 'not accepting devices' : 'running');
    document.title = (bad ? '⚠ ' : '') + 'pi-gateway status';
    text($('updated'), 'as of ' + iso(d.now));
  }

  function refusalTotal(r) { var n = 0; for (var k in r) { n += r[k]; } return n; }
  var ORDER = {fresh: 0, late: 1, silent: 2, refused: 3};
  function compare(now) {
    var key = sort.replace('-', ''), sign = sort.charAt(0) === '-' ? -1 : 1;
    var f = {
      state: function (d) { return ORDER[d.state]; },
      age: function (d) { return d.lastCommit ? now - d.lastCommit : Number.MAX_VALUE; },
      rate: function (d) { return d.readingsPerSecond === null ? -1 : d.readingsPerSecond; },
      spool: function (d) { return d.spoolDepth === null ? -1 : d.spoolDepth; },
      refusals: function (d) { return refusalTotal(d.refusals); }
    }[key];
    return function (a, b) {
      var c = f ? f(a) - f(b) : 0;
      if (c === 0) { c = a.id < b.id ? -1 : a.id > b.id ? 1 : 0; }
      return sign * c;
    };
  }

  function table(d) {
    var rows = d.devices.filter(function (x) { return filter === 'all' || x.state === filter; });
    rows.sort(compare(d.now));
    var html = rows.map(function (x) {
      var refusals = Object.keys(x.refusals).map(function (k) { return esc(k) + ' ×' + x.refusals[k]; }).join(', ');
      return '<tr data-device="' + esc(x.id) + '" class="' + x.state + '">' +
        '<td class="id"><a href="#plots" data-plot="' + esc(x.id) + '">' + esc(x.id) + '</a></td>' +
        '<td class="state"><span class="badge ' + x.state + '">' + x.state + '</span>' +
        (x.connected ? '' : ' <small>disconnected</small>') + '</td>' +
        '<td class="age" title="' + iso(x.lastCommit) + '">' + (x.lastCommit ? duration(d.now - x.lastCommit) + ' ago' : 'never') + '</td>' +
        '<td class="seen" title="' + iso(x.lastSeen) + '">' + (x.lastSeen ? duration(d.now - x.lastSeen) + ' ago' : '—') + '</td>' +
        '<td class="address">' + esc(x.address || '—') + '</td>' +
        '<td class="stream">' + esc(x.stream || '—') + '</td>' +
        '<td class="rate num">' + num(x.readingsPerSecond) + '</td>' +
        '<td class="spool num">' + (x.spoolDepth === null ? '—' : x.spoolDepth) + '</td>' +
        '<td class="dropped num">' + (x.dropped === null ? '—' : x.dropped) + '</td>' +
        '<td class="refusals">' + (refusals || '—') + '</td></tr>';
    }).join('\n');
    if (!rows.length) {
      html = '<tr class="empty"><td colspan="10">' + (d.devices.length ? 'No device in this state.' :
        'No device has connected since the gateway started.') + '</td></tr>';
    }
    document.querySelector('#devices tbody').innerHTML = html;
    var links = document.querySelectorAll('#filters a');
    for (var i = 0; i < links.length; i++) {
      var s = links[i].getAttribute('data-state');
      links[i].className = s === filter ? 'on' : '';
      var n = s === 'all' ? d.devices.length : d.counts[s];
      text(links[i].querySelector('.n'), String(n));
    }
    var ths = document.querySelectorAll('#devices th[data-sort] a');
    for (var j = 0; j < ths.length; j++) {
      var key = ths[j].parentNode.getAttribute('data-sort');
      var label = ths[j].textContent.replace(/ [▲▼]$/, '');
      ths[j].textContent = label + (sort === key ? ' ▲' : sort === '-' + key ? ' ▼' : '');
    }
  }

  function plotWidth(el) { return Math.max(240, el.clientWidth || 320); }
  function makePlot(id, names, colors) {
    var el = $(id);
    var s = [{}].concat(names.map(function (n, i) {
      return {label: n, stroke: colors[i], width: 1.5, spanGaps: false, points: {show: false}};
    }));
    var opts = {width: plotWidth(el), height: 160, series: s, legend: {show: true},
      axes: [{}, {size: 50}], scales: {x: {time: true}}, cursor: {drag: {x: false, y: false}}};
    return new uPlot(opts, [[]].concat(names.map(function () { return []; })), el);
  }

  function initPlots() {
    if (typeof uPlot === 'undefined') { return; }
    plots.rate = makePlot('plot-rate', ['readings/s'], ['#2a7']);
    plots.ack = makePlot('plot-ack', ['p50 ms', 'p99 ms'], ['#27c', '#c52']);
    plots.queue = makePlot('plot-queue', ['queue'], ['#a6c']);
    plots.commit = makePlot('plot-commit', ['p50 ms', 'p99 ms'], ['#27c', '#c52']);
    window.addEventListener('resize', function () {
      for (var k in plots) {
        if (plots[k]) { plots[k].setSize({width: plotWidth(plots[k].root.parentNode), height: 160}); }
      }
    });
  }

  function appendSeries(s) {
    for (var k in series) { series[k] = series[k].concat(s[k]); }
    var cut = 0, newest = series.t.length ? series.t[series.t.length - 1] : 0;
    while (cut < series.t.length && series.t[cut] <= newest - HOUR) { cut++; }
    if (cut) { for (var k2 in series) { series[k2] = series[k2].slice(cut); } }
  }

  function drawPlots(d) {
    if (!plots.rate) { return; }
    plots.rate.setData([series.t, series.readingsPerSecond]);
    plots.ack.setData([series.t, series.ackP50Ms, series.ackP99Ms]);
    plots.queue.setData([series.t, series.queue]);
    plots.commit.setData([series.t, series.commitP50Ms, series.commitP99Ms]);
    if (device && d.device && d.device.id === device) {
      if (!plots.device) { plots.device = makePlot('plot-device', ['readings/s'], ['#2a7']); }
      plots.device.setData([d.device.t, d.device.readingsPerSecond]);
    }
  }

  var timer = null;
  function poll() {
    clearTimeout(timer);
    var since = series.t.length ? series.t[series.t.length - 1] : 0;
    var url = '/status.json?since=' + since + (device ? '&device=' + encodeURIComponent(device) : '');
    fetch(url, {cache: 'no-store', credentials: 'same-origin'}).then(function (r) {
      if (!r.ok) { throw new Error('HTTP ' + r.status); }
      return r.json();
    }).then(function (d) {
      last = d;
      document.body.classList.remove('stale');
      appendSeries(d.series);
      summary(d);
      table(d);
      drawPlots(d);
    }).catch(function (e) {
      document.body.classList.add('stale');
      var head = $('headline');
      head.className = 'bad';
      text(head, 'no answer from the gateway (' + e.message + ')');
    }).then(function () { timer = setTimeout(poll, POLL_MS); });
  }

  function showDevice(id) {
    device = id;
    var fig = $('device-figure');
    fig.hidden = !id;
    text($('device-name'), id || '');
    if (plots.device) { plots.device.destroy(); plots.device = null; }
    if (id) { poll(); }
  }

  function remember() {
    var p = new URLSearchParams(location.search);
    p.set('state', filter);
    p.set('sort', sort);
    history.replaceState(null, '', location.pathname + '?' + p.toString());
  }

  document.addEventListener('click', function (e) {
    var a = e.target.closest && e.target.closest('a');
    if (a && a.closest('#filters')) {
      e.preventDefault();
      filter = a.getAttribute('data-state');
      remember();
      if (last) { table(last); }
    } else if (a && a.closest('#devices th')) {
      e.preventDefault();
      var key = a.parentNode.getAttribute('data-sort');
      sort = sort === key ? '-' + key : key;
      remember();
      if (last) { table(last); }
    } else if (a && a.getAttribute('data-plot')) {
      showDevice(a.getAttribute('data-plot'));
    } else if (e.target.id === 'device-close') {
      showDevice(null);
    }
  });

  document.documentElement.classList.add('js');
  initPlots();
  poll();
})();
