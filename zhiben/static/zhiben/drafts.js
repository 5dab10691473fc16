/* Drafts of long forms filled in the field (form[data-draft]): what is typed is kept in this browser as it is typed,
   so that a page the phone dropped (the camera opened from the photo field, a call, a flat battery) can be filled
   in again with one tap: "发现未提交的内容（12-06 14:20）：恢复 / 丢弃". Files are not kept (the browser cannot),
   nor the CSRF token. A draft belongs to the signed-in user (body[data-user]) and the page's address.
   Submitting marks it sent; the answer settles it: a page with a success message drops the user's sent drafts, and
   the form sent back with its errors holds the values itself. A sent draft still there when the form is opened
   again was never answered (the network dropped): "上次提交（…）未能完成：恢复 / 丢弃". Drafts are dropped when
   restored or discarded, after DAYS days, at sign-out, and when offline.js keeps the submission to send later. */
(function () {
  "use strict";
  var PREFIX = "zhiben:draft:", DAYS = 7;

  function store() {
    try {
      return window.localStorage;
    } catch (e) {
      return null;  // storage switched off: the form works as it always did
    }
  }

  function read(storage, name) {  // a draft, or null (none, or not one of ours)
    try {
      return JSON.parse(storage.getItem(name) || "null");
    } catch (e) {
      return null;
    }
  }

  function key(form) {
    return PREFIX + (document.body.getAttribute("data-user") || "") + ":" + location.pathname + ":" +
      Array.prototype.indexOf.call(document.querySelectorAll("form[data-draft]"), form);
  }

  function kept(field) {
    return field.name && field.name !== "csrfmiddlewaretoken" && !field.disabled &&
      ["file", "password", "hidden", "submit", "button"].indexOf(field.type) < 0;
  }

  function values(form) {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!kept(field)) return;
      if (field.type === "checkbox" || field.type === "radio") {
        if (field.checked) (out[field.name] = out[field.name] || []).push(field.value);
      } else if (field.tagName === "SELECT" && field.multiple) {
        out[field.name] = Array.prototype.filter.call(field.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; });
      } else {
        out[field.name] = field.value;
      }
    });
    return out;
  }

  function fill(form, saved) {
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!kept(field) || !(field.name in saved)) return;
      var value = saved[field.name];
      if (field.type === "checkbox" || field.type === "radio") {
        field.checked = Array.isArray(value) && value.indexOf(field.value) >= 0;
      } else if (field.tagName === "SELECT" && field.multiple) {
        Array.prototype.forEach.call(field.options, function (o) { o.selected = value.indexOf(o.value) >= 0; });
      } else {
        field.value = value;
      }
      field.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  function stamp(time) {
    var d = new Date(time), two = function (n) { return (n < 10 ? "0" : "") + n; };
    return two(d.getMonth() + 1) + "-" + two(d.getDate()) + " " + two(d.getHours()) + ":" + two(d.getMinutes());
  }

  function offer(form, storage, name, draft) {
    var bar = document.createElement("div"), restore = document.createElement("button");
    var discard = document.createElement("button"), text = document.createElement("span");
    bar.className = "msg warning draft-bar";
    bar.setAttribute("role", "status");
    text.textContent = (draft.sent ? "上次提交（" + stamp(draft.at) + "）未能完成" : "发现未提交的内容（" + stamp(draft.at) + "）") +
      (form.querySelector("input[type=file]") ? "，照片需重新选择：" : "：");
    restore.type = discard.type = "button";
    restore.textContent = "恢复";
    discard.textContent = "丢弃";
    restore.className = "primary";
    bar.appendChild(text);
    bar.appendChild(restore);
    bar.appendChild(document.createTextNode(" "));
    bar.appendChild(discard);
    form.insertAdjacentElement("beforebegin", bar);
    restore.addEventListener("click", function () {
      fill(form, draft.values);
      storage.setItem(name, JSON.stringify({ at: Date.now(), values: draft.values }));  // unsent again
      bar.remove();
    });
    discard.addEventListener("click", function () {
      storage.removeItem(name);
      bar.remove();
    });
  }

  function attach(form, storage) {
    var name = key(form), timer = null;
    var draft = read(storage, name);
    if (draft && !(Date.now() - draft.at <= DAYS * 86400000 && draft.values)) {  // expired, or not a draft
      storage.removeItem(name);
      draft = null;
    }
    if (draft && draft.sent && form.querySelector(".fielderror, .msg.error")) {
      storage.removeItem(name);  // sent back with its errors: the form holds what was typed
      draft = null;
    }
    if (draft) offer(form, storage, name, draft);
    function save() {
      clearTimeout(timer);
      timer = setTimeout(function () {
        try {
          storage.setItem(name, JSON.stringify({ at: Date.now(), values: values(form) }));
        } catch (e) { /* storage full: nothing kept */ }
      }, 300);
    }
    form.addEventListener("input", save);
    form.addEventListener("change", function (event) { if (event.isTrusted) save(); });
    form.addEventListener("zhiben:kept", function () {  // kept by offline.js to be sent later: not a draft any more
      clearTimeout(timer);
      storage.removeItem(name);
    });
    form.addEventListener("submit", function () {
      clearTimeout(timer);
      try {
        storage.setItem(name, JSON.stringify({ at: Date.now(), values: values(form), sent: true }));
      } catch (e) { /* storage full */ }
    });
  }

  function drop(storage, sentOnly) {  // this user's drafts (only those sent)
    var mine = PREFIX + (document.body.getAttribute("data-user") || "") + ":";
    for (var i = storage.length - 1; i >= 0; i--) {
      var name = storage.key(i);
      if (!name || name.indexOf(mine) !== 0) continue;
      var draft = read(storage, name);
      if (!sentOnly || (draft && draft.sent)) storage.removeItem(name);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var storage = store();
    if (!storage) return;
    if (document.querySelector(".messages .msg.success")) drop(storage, true);  // the submission was answered
    document.querySelectorAll("form[data-draft]").forEach(function (form) { attach(form, storage); });
    var logout = document.querySelector("form[data-logout]");
    if (logout) logout.addEventListener("submit", function () { drop(storage, false); });  // a shared computer
  });
})();
