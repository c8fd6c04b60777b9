// yiyang — the running score of an assessment form and the print button of a report.
// Progressive enhancement only: the form posts and the server scores without this script;
// the elements it fills are rendered hidden and shown here. No text of its own: every word on
// the page comes from the server in the user's language.
(function () {
  'use strict';

  function scoreOf(input) {
    var n = Number(input.getAttribute('data-score'));
    return isFinite(n) ? n : 0;
  }

  function update(form) {
    var total = 0;
    var answered = 0;
    var items = form.querySelectorAll('[data-item]');
    for (var i = 0; i < items.length; i++) {
      var chosen = items[i].querySelector('input[type=radio]:checked');
      items[i].classList.toggle('answered', !!chosen);
      if (chosen) {
        answered += 1;
        total += scoreOf(chosen);
      }
    }
    var domains = form.querySelectorAll('[data-domain]');
    for (var d = 0; d < domains.length; d++) {
      var id = domains[d].getAttribute('data-domain');
      if (!id) continue;
      var sum = 0;
      var checked = domains[d].querySelectorAll('input[type=radio]:checked');
      for (var c = 0; c < checked.length; c++) sum += scoreOf(checked[c]);
      var outputs = form.querySelectorAll('[data-subtotal]');
      for (var o = 0; o < outputs.length; o++) {
        if (outputs[o].getAttribute('data-subtotal') === id) outputs[o].textContent = String(sum);
      }
    }
    var totals = form.querySelectorAll('[data-total]');
    for (var t = 0; t < totals.length; t++) totals[t].textContent = String(total);
    var counts = form.querySelectorAll('[data-answered]');
    for (var a = 0; a < counts.length; a++) counts[a].textContent = String(answered);
    var bars = form.querySelectorAll('.running-score');
    for (var b = 0; b < bars.length; b++) bars[b].classList.toggle('complete', answered === items.length);
  }

  function start() {
    var forms = document.querySelectorAll('form[data-assess]');
    for (var f = 0; f < forms.length; f++) {
      (function (form) {
        var shown = form.querySelectorAll('[data-running]');
        for (var s = 0; s < shown.length; s++) shown[s].hidden = false;
        form.addEventListener('change', function (event) {
          if (event.target && event.target.type === 'radio') update(form);
        });
        update(form);
      })(forms[f]);
    }
    var printers = document.querySelectorAll('[data-print]');
    for (var p = 0; p < printers.length; p++) {
      printers[p].hidden = false;
      printers[p].addEventListener('click', function () {
        window.print();
      });
    }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
