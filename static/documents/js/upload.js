// "Mes justificatifs": send a piece's files with a progress bar, then show the page again.
// Without JavaScript the form posts normally and the server answers with a message.
(function () {
  "use strict";
  document.querySelectorAll("form[data-upload]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.FormData || !window.XMLHttpRequest) return;
      event.preventDefault();
      var progress = form.querySelector("progress");
      var message = form.querySelector(".portal-upload-message");
      var button = form.querySelector("button[type=submit]");
      var request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      request.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) progress.value = Math.round((e.loaded / e.total) * 100);
      });
      request.addEventListener("load", function () {
        var answer = {};
        try { answer = JSON.parse(request.responseText); } catch (e) { answer = { ok: false, message: "Le serveur n'a pas pu traiter ce fichier. Réessayez." }; }
        if (request.status === 403) answer = { ok: false, message: "Dépôt refusé : la date limite est passée ou l'inscription est validée." };
        if (answer.ok) { window.location.hash = form.closest("section").id; window.location.reload(); return; }
        progress.hidden = true; button.disabled = false;
        message.className = "fr-message fr-message--error portal-upload-message";
        message.textContent = answer.message;
      });
      request.addEventListener("error", function () {
        progress.hidden = true; button.disabled = false;
        message.className = "fr-message fr-message--error portal-upload-message";
        message.textContent = "La connexion a été interrompue : réessayez.";
      });
      progress.hidden = false; progress.value = 0; button.disabled = true;
      message.className = "fr-message portal-upload-message"; message.textContent = "Envoi en cours…";
      request.send(new FormData(form));
    });
  });
})();
