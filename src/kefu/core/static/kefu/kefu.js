// Modal forms loaded by htmx: a response with HX-Trigger "kefu:close-modal" closes it.
document.addEventListener("htmx:afterSwap", function (event) {
  if (event.detail.target.id === "kefu-modal-content") {
    bootstrap.Modal.getOrCreateInstance(document.getElementById("kefu-modal")).show();
  }
});
document.body.addEventListener("kefu:close-modal", function () {
  const modal = bootstrap.Modal.getInstance(document.getElementById("kefu-modal"));
  if (modal) modal.hide();
});
