// The console's only script besides htmx: shows a failed request's answer (status and text, never as HTML).
document.addEventListener("htmx:responseError", function (e) {
  var box = document.getElementById("errors");
  if (!box) { return; }
  var xhr = e.detail.xhr;
  var text = xhr.responseText || "";
  try { var p = JSON.parse(text); text = (p.title || "") + (p.detail ? ": " + p.detail : ""); } catch (ignored) { }
  box.textContent = "Request failed (" + xhr.status + "): " + text;
});
document.addEventListener("htmx:sendError", function () {
  var box = document.getElementById("errors");
  if (box) { box.textContent = "The server cannot be reached."; }
});
