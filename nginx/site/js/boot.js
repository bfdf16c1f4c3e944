/*
 * boot.js — the one classic (non-module) script: loaded render-blocking in <head> so that
 * 长辈模式 (large text) is on before the first paint instead of flashing at normal size.
 * It only reads the preference; js/ui.js owns the toggle and writes it.
 * Keep the key and the ?large= rule in step with ui.js.
 */
(function () {
  var on = false;
  try {
    var m = /[?&]large=([01])(?:&|$)/.exec(window.location.search);
    on = m ? m[1] === '1' : window.localStorage.getItem('yichuang.large') === '1';
  } catch (e) {
    /* storage blocked: stay at normal size */
  }
  if (on) document.documentElement.classList.add('large');
})();
