// While the confirmation PDF is being prepared, ask the server every 3 seconds and reload once ready.
(function () {
  "use strict";
  var notice = document.getElementById("preparing");
  if (!notice) return;
  var tries = 0;
  function poll() {
    if (++tries > 100) return;
    fetch(notice.dataset.statusUrl, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (state) { if (state.confirmation_ready) window.location.reload(); else setTimeout(poll, 3000); })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1500);
})();
