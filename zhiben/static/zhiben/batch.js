// 批量处理 on a list page: a form#batch with a select[name=action] and the rows' boxes (name="ids", form="batch",
// data-steps: the actions the row can take). Adds 全选 to the boxes' column header, offers only the rows the chosen
// action applies to, counts what is chosen, and asks for the note the chosen action needs (data-note on its option).
// Without it the page still works: the server reports each row it could not move.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("batch");
    if (!form) return;
    var action = form.querySelector("select[name=action]");
    var note = form.querySelector("input[name=note]");
    var told = form.querySelector("[data-chosen]");
    var boxes = Array.prototype.slice.call(document.querySelectorAll('input[name=ids][form="batch"]'));
    var all = document.createElement("input");
    all.type = "checkbox";
    all.setAttribute("aria-label", "全选本页");
    all.title = "全选本页";
    var head = document.querySelector("th.choose");
    if (head) {
      var words = document.createElement("span");
      words.className = "choose-all";  // shown on a phone, where the cards have no header row
      words.textContent = "全选本页";
      head.textContent = "";
      head.appendChild(all);
      head.appendChild(words);
    }

    function applies(box) {
      return (" " + box.dataset.steps + " ").indexOf(" " + action.value + " ") >= 0;
    }

    function update() {
      var chosen = 0, open = 0;
      boxes.forEach(function (box) {
        box.disabled = !applies(box);
        if (box.disabled) box.checked = false;
        if (!box.disabled) open += 1;
        if (box.checked) chosen += 1;
      });
      all.checked = open > 0 && chosen === open;
      var option = action.options[action.selectedIndex];
      var needs = option && option.dataset.note;
      if (note) {  // a step that takes no note (标为已读) has no box for one
        note.required = !!needs;
        note.placeholder = needs ? "须填写" + needs : "意见（可不填）";
      }
      told.textContent = "已选 " + chosen + " 条（本页可" + option.text + " " + open + " 条）";
    }

    all.addEventListener("change", function () {
      boxes.forEach(function (box) {
        if (!box.disabled) box.checked = all.checked;
      });
      update();
    });
    boxes.forEach(function (box) {
      box.addEventListener("change", update);
    });
    action.addEventListener("change", update);
    form.addEventListener("submit", function (event) {
      if (!boxes.some(function (box) { return box.checked; })) {
        event.preventDefault();
        told.textContent = "请先勾选要处理的" + (form.dataset.noun || "记录") + "。";
      }
    });
    update();
  });
})();
