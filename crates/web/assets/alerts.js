// yiyang — keeps the alert board current without reloading the page.
// Progressive enhancement only: without this script the board is a plain page whose forms post
// and come back. With it, an EventSource listens to the board's stream (each event names only
// an alert and what happened to it); on each event the board is fetched again from the server,
// already rendered in the user's language, and swapped in. Open resolve boxes and notes being
// typed survive the swap; a row that is new or changed flashes. The acknowledge and resolve
// forms post in the background and answer with the fresh board. No text of its own: every word
// comes from the server.
(function () {
  'use strict';

  var board = document.getElementById('board');
  if (!board || !window.fetch || !window.EventSource || !window.URLSearchParams) return;
  var boardUrl = board.getAttribute('data-board');
  var streamUrl = board.getAttribute('data-stream');
  var status = document.querySelector('[data-live-status]');
  var announcer = document.querySelector('[data-announce]:not([data-alert-id])');
  var problem = document.querySelector('[data-action-problem]');

  function setStatus(state) {
    if (!status) return;
    status.setAttribute('data-state', state);
    var text = status.getAttribute('data-text-' + state);
    if (text) status.textContent = text;
  }

  function rows() {
    return board.querySelectorAll('[data-alert-id]');
  }

  /** What the user has going on in the board: open resolve boxes, typed notes, focus. */
  function snapshot() {
    var s = { versions: {}, open: {}, notes: {}, focus: null };
    var list = rows();
    for (var i = 0; i < list.length; i++) {
      var row = list[i];
      var id = row.getAttribute('data-alert-id');
      s.versions[id] = row.getAttribute('data-version');
      var box = row.querySelector('details');
      if (box && box.open) s.open[id] = true;
      var note = row.querySelector('textarea');
      if (note && note.value) s.notes[id] = note.value;
    }
    var active = document.activeElement;
    if (active && board.contains(active)) {
      var owner = active.closest('[data-alert-id]');
      if (owner) {
        s.focus = {
          id: owner.getAttribute('data-alert-id'),
          selector: active.tagName === 'TEXTAREA' ? 'textarea' : 'summary'
        };
      }
    }
    return s;
  }

  function restore(s) {
    var list = rows();
    var announced = [];
    for (var i = 0; i < list.length; i++) {
      var row = list[i];
      var id = row.getAttribute('data-alert-id');
      var box = row.querySelector('details');
      if (box && s.open[id]) box.open = true;
      var note = row.querySelector('textarea');
      if (note && s.notes[id]) note.value = s.notes[id];
      var before = s.versions[id];
      if (before !== row.getAttribute('data-version')) {
        row.classList.add(before === undefined ? 'is-new' : 'is-changed');
        if (before === undefined) announced.push(row.getAttribute('data-announce'));
      }
      if (s.focus && s.focus.id === id) {
        var target = row.querySelector(s.focus.selector);
        if (target) target.focus({ preventScroll: true });
      }
    }
    if (announcer && announced.length) announcer.textContent = announced.join('；');
  }

  function swap(html, forget) {
    var s = snapshot();
    if (forget) {
      delete s.open[forget];
      delete s.notes[forget];
    }
    board.innerHTML = html;
    restore(s);
  }

  function signedOut(response) {
    return response.redirected && new URL(response.url).pathname === '/login';
  }

  var loading = false;
  var again = false;
  var timer = null;

  function refresh() {
    if (loading) {
      again = true;
      return;
    }
    loading = true;
    fetch(boardUrl, { credentials: 'same-origin', headers: { Accept: 'text/html' } })
      .then(function (response) {
        if (signedOut(response)) {
          window.location.reload();
          return null;
        }
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        if (html !== null) swap(html);
      })
      .catch(function () {
        setStatus('offline');
      })
      .then(function () {
        loading = false;
        if (again) {
          again = false;
          refresh();
        }
      });
  }

  /** Several events in a burst (a batch of readings) cost one fetch. */
  function soon() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 200);
  }

  function connect() {
    var source = new EventSource(streamUrl);
    source.addEventListener('open', function () {
      setStatus('live');
      // Whatever happened while the stream was not open.
      soon();
    });
    source.addEventListener('alert', soon);
    source.addEventListener('refresh', soon);
    source.addEventListener('error', function () {
      setStatus('offline');
      if (source.readyState === EventSource.CLOSED) {
        // Refused (signed out): the board fetch finds out and reloads into the sign-in page.
        setTimeout(function () {
          refresh();
          connect();
        }, 10000);
      }
    });
  }

  function showProblem(text) {
    if (!problem) return;
    problem.textContent = text;
    problem.hidden = !text;
    if (text) problem.scrollIntoView({ block: 'nearest' });
  }

  /** The reason an error page gives, in the user's language. */
  function reasonOf(html) {
    var page = new DOMParser().parseFromString(html, 'text/html');
    var found = page.querySelector('[data-action-error], .field-error, .error-page');
    return found ? found.textContent.replace(/\s+/g, ' ').trim() : '';
  }

  board.addEventListener('submit', function (event) {
    var form = event.target;
    if (!form.hasAttribute('data-board-action')) return;
    event.preventDefault();
    var body = new URLSearchParams(new FormData(form));
    body.set('next', boardUrl);
    var owner = form.closest('[data-alert-id]');
    var id = owner ? owner.getAttribute('data-alert-id') : null;
    var buttons = form.querySelectorAll('button');
    for (var i = 0; i < buttons.length; i++) buttons[i].disabled = true;
    fetch(form.action, {
      method: 'POST',
      body: body,
      credentials: 'same-origin',
      headers: { Accept: 'text/html' }
    })
      .then(function (response) {
        if (signedOut(response)) {
          window.location.reload();
          return null;
        }
        return response.text().then(function (html) {
          return { ok: response.ok && response.redirected, html: html };
        });
      })
      .then(function (answer) {
        if (!answer) return;
        if (answer.ok) {
          showProblem('');
          swap(answer.html, id);
        } else {
          showProblem(reasonOf(answer.html));
          refresh();
        }
      })
      .catch(function () {
        // The network failed: post the plain way.
        form.submit();
      });
  });

  connect();
})();
