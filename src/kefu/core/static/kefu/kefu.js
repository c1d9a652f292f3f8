// Modal forms loaded by htmx: a response with HX-Trigger "kefu:close-modal" closes it.
// Tabler bundles Bootstrap and exposes its components as window.tabler.
const kefuModal = () => (window.bootstrap || window.tabler).Modal.getOrCreateInstance(
  document.getElementById("kefu-modal"));

document.addEventListener("htmx:afterSwap", function (event) {
  if (event.detail.target.id === "kefu-modal-content") kefuModal().show();
});
document.body.addEventListener("kefu:close-modal", function () {
  kefuModal().hide();
});
