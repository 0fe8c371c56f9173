// Keeps the "Temps restant" of the home page current; the server renders the same text.
(function () {
  "use strict";
  var element = document.getElementById("countdown");
  if (!element) return;
  var deadline = Date.parse(element.dataset.deadline);
  function plural(n, one, many) { return n + " " + (n > 1 ? many : one); }
  function render() {
    var minutes = Math.floor((deadline - Date.now()) / 60000);
    if (minutes < 0) { element.textContent = "les inscriptions sont closes"; return; }
    if (minutes < 1) { element.textContent = "moins d'une minute"; return; }
    var days = Math.floor(minutes / 1440), hours = Math.floor((minutes % 1440) / 60), mins = minutes % 60;
    var text;
    if (days) text = plural(days, "jour", "jours") + (hours ? " et " + plural(hours, "heure", "heures") : "");
    else if (hours) text = plural(hours, "heure", "heures") + (mins ? " et " + plural(mins, "minute", "minutes") : "");
    else text = plural(mins, "minute", "minutes");
    element.textContent = text;
  }
  render();
  setInterval(render, 30000);
})();
