// The export page's « Tout sélectionner » box, bound here rather than by an inline onchange
// (the portal's templates hold no inline script): django-import-export's own handler does the work.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("input.select-toggle").forEach((box) => box.addEventListener("change", onSelectToggleChange));
});
