/* The enterprise picker: an input marked data-picker="<lookup URL>" suggests the jurisdiction's enterprises as one
   types part of a name or the start of a code; choosing one (tap, or arrows and Enter) writes "名称（代码）", which
   the server reads back (enterprises.selectors.enterprise_from_text). Without JavaScript the input takes the code
   or the full name as typed. */
(function () {
  "use strict";

  function attach(input) {
    var list = document.createElement("ul"), timer = null, asked = "", active = -1, items = [];
    list.className = "picker-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    var box = document.createElement("div");  // the suggestions drop from the input itself, whatever the field's layout
    box.className = "picker";
    input.insertAdjacentElement("beforebegin", box);
    box.appendChild(input);
    box.appendChild(list);

    function close() {
      list.hidden = true;
      active = -1;
      input.setAttribute("aria-expanded", "false");
    }

    function choose(item) {
      input.value = item.text;
      close();
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function highlight(index) {
      active = index;
      Array.prototype.forEach.call(list.children, function (li, i) { li.setAttribute("aria-selected", String(i === index)); });
    }

    function show(results, text) {
      list.textContent = "";
      items = results;
      if (!results.length) {
        var none = document.createElement("li");
        none.className = "picker-none";
        none.textContent = "管辖范围内没有名称含“" + text + "”或代码以它开头的单位";
        list.appendChild(none);
      }
      results.forEach(function (item, i) {
        var li = document.createElement("li"), name = document.createElement("b"), meta = document.createElement("span");
        li.setAttribute("role", "option");
        name.textContent = item.name;
        meta.textContent = item.region + " · " + item.code;
        li.appendChild(name);
        li.appendChild(meta);
        li.addEventListener("mousedown", function (event) { event.preventDefault(); choose(items[i]); });
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      highlight(-1);
    }

    function ask() {
      var text = input.value.trim();
      if (!text || text === asked) {
        if (!text) close();
        return;
      }
      asked = text;
      var url = input.getAttribute("data-picker") + "?q=" + encodeURIComponent(text);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) { if (input.value.trim() === text) show(data.results, text); })
        .catch(function () { asked = ""; });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 200);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden || !items.length) return;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        var step = event.key === "ArrowDown" ? 1 : -1;
        highlight((active + step + items.length) % items.length);
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();  // chooses; does not submit the form
        choose(items[active]);
      } else if (event.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
    input.addEventListener("focus", function () { asked = ""; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-picker]").forEach(attach);
  });
})();
