// Character counters for long fields: the server renders "已输入 n / max 字"; this keeps it current while typing.
document.addEventListener("input", function (event) {
  var field = event.target;
  var id = field && field.getAttribute && field.getAttribute("data-counter");
  if (!id) return;
  var out = document.getElementById(id);
  if (out) out.textContent = "已输入 " + field.value.length + " / " + field.getAttribute("maxlength") + " 字";
});
