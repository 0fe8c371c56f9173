// The registration steps (templates/exams/step.html), on top of a page that works without it:
// - a field marked data-shown-when="pathway" data-shown-for="apprentissage ex_apprentissage"
//   shows only while the field "pathway" has one of those answers;
// - the option list (data-options-of="specialty") keeps only the chosen specialty's options, and
//   hides itself when that specialty has none;
// - the language list (data-languages-of="specialty") keeps only the languages the chosen
//   specialty allows (data-languages: {specialty id: [language codes]}).
// A hidden field's inputs are disabled, so the browser does not send them.
// The server does not keep answers that do not apply, and refuses another specialty's option.
(function () {
  "use strict";
  var form = document.querySelector("form.step-form");
  if (!form) return;

  function groupOf(input) {
    return input.closest(".fr-input-group, .fr-select-group, fieldset.fr-fieldset");
  }

  // DSFR draws a fieldset with display: flex, which outweighs the hidden attribute's own style.
  // A hidden field is also disabled, so its answer is not sent: what was not asked is not answered
  // (an earlier « Oui » left in a question that went away never contradicts the answers shown).
  function hide(element, hidden) {
    element.hidden = hidden;
    element.style.display = hidden ? "none" : "";
    element.querySelectorAll("input, select, textarea").forEach(function (input) {
      input.disabled = hidden;
    });
  }

  function answerOf(name) {
    var inputs = form.querySelectorAll('[name="' + name + '"]');
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      if (input.type === "radio" || input.type === "checkbox") {
        if (input.checked) return input.value;
      } else {
        return input.value;
      }
    }
    return "";
  }

  function showAskedFields() {
    var seen = [];
    form.querySelectorAll("[data-shown-when]").forEach(function (input) {
      var group = groupOf(input);
      if (!group || seen.indexOf(group) !== -1) return;
      seen.push(group);
      var values = input.getAttribute("data-shown-for").split(" ");
      hide(group, values.indexOf(answerOf(input.getAttribute("data-shown-when"))) === -1);
    });
  }

  function keepOptionsOfSpecialty() {
    var select = form.querySelector("select[data-options-of]");
    if (!select) return;
    var specialty = form.querySelector('[name="' + select.getAttribute("data-options-of") + '"]');
    var chosen = specialty && specialty.selectedIndex > 0 ? specialty.options[specialty.selectedIndex].text : "";
    var any = false;
    select.querySelectorAll("optgroup").forEach(function (group) {
      var mine = group.label === chosen;
      group.hidden = !mine;
      group.disabled = !mine;
      if (mine) any = true;
      if (!mine && group.contains(select.options[select.selectedIndex])) select.value = "";
    });
    hide(groupOf(select), !any);
  }

  function keepLanguagesOfSpecialty() {
    var select = form.querySelector("select[data-languages-of]");
    if (!select) return;
    var specialty = form.querySelector('[name="' + select.getAttribute("data-languages-of") + '"]');
    var allowed = JSON.parse(select.getAttribute("data-languages") || "{}")[specialty ? specialty.value : ""];
    Array.prototype.forEach.call(select.options, function (option) {
      if (!option.value) return;
      var mine = !allowed || allowed.indexOf(option.value) !== -1;
      option.hidden = !mine;
      option.disabled = !mine;
      if (!mine && option.selected) select.value = "";
    });
  }

  function refresh() {
    showAskedFields();
    keepOptionsOfSpecialty();
    keepLanguagesOfSpecialty();
  }

  form.addEventListener("change", refresh);
  refresh();
})();
