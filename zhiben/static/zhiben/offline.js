/* Forms filled in without a network (form[data-offline]; the server's half is zhiben/core/offline.py).
   - Each such form carries a submission key (hidden field submission_key) made when the page opens: whatever sends
     it (the button, a retry, the queue below), the server saves it once.
   - A submission the network does not carry is kept in this browser (IndexedDB), photos included, and the form is
     emptied for the next one: "已保存在本机，联网后自动发送". uploads.js sends these forms in the background and
     hands a failed one to keep().
   - Kept submissions are sent when the network is back: when a page of the user who made them opens online, when
     the browser comes back online, and every minute while a page is open. Each is sent with a fresh CSRF token read
     from its form page, and settles by the answer: saved (a page with the server's success message) → dropped from
     the queue and listed as sent; the form back with its errors → kept as 退回 with the server's words, to be opened
     and corrected; a sign-in page → kept until the user signs in again; anything else → kept, tried again later.
   - The service worker (/sw.js) keeps the forms' pages for offline use; the forms this user may fill in
     (body[data-offline]) are fetched once so that they are kept before they are needed.
   - Every page of the user says how many submissions wait; the offline page (/offline/) lists them.
   - Signing out (or the next page signed in as nobody else) forgets the kept pages, which hold the user's data.
     The queue stays, being unsent work, and is only ever sent as the user who made it. */
(function () {
  "use strict";
  var DB = "zhiben", STORE = "queue", FIELD = "submission_key", PAGES = "zhiben-pages";
  var USER = "zhiben:user", SENT = "zhiben:sent:", FORMS = "zhiben:forms:", MINUTE = 60000, SENT_KEPT = 20;
  var body = document.body, listPage = document.querySelector("[data-queue-list]");
  var user = body.getAttribute("data-user") || (listPage ? local(USER) : null);

  function local(name, value) {  // localStorage get/set/remove (value null: remove); null when switched off
    try {
      if (value === undefined) return window.localStorage.getItem(name);
      if (value === null) window.localStorage.removeItem(name);
      else window.localStorage.setItem(name, value);
    } catch (e) { /* storage switched off */ }
    return null;
  }

  function json(name, fallback) {
    try {
      return JSON.parse(local(name) || "null") || fallback;
    } catch (e) {
      return fallback;
    }
  }

  function newKey() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
  }

  // ------------------------------------------------------------------ the queue (IndexedDB)

  function database() {
    return new Promise(function (resolve, reject) {
      if (!window.indexedDB) return reject(new Error("IndexedDB"));
      var request = indexedDB.open(DB, 1);
      request.onupgradeneeded = function () { request.result.createObjectStore(STORE, { keyPath: "key" }); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function transact(mode, work) {  // work(store) → a request; resolves with its result once the transaction is done
    return database().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode), request = work(t.objectStore(STORE));
        t.oncomplete = function () { db.close(); resolve(request.result); };
        t.onerror = t.onabort = function () { db.close(); reject(t.error || new Error("IndexedDB")); };
      });
    });
  }

  function mine() {  // this user's kept submissions, oldest first
    return transact("readonly", function (s) { return s.getAll(); }).then(function (items) {
      return (items || []).filter(function (i) { return user && i.user === user; })
        .sort(function (a, b) { return a.at - b.at; });
    });
  }

  function put(item) { return transact("readwrite", function (s) { return s.put(item); }); }
  function drop(key) { return transact("readwrite", function (s) { return s.delete(key); }); }
  function get(key) { return transact("readonly", function (s) { return s.get(key); }); }

  // ------------------------------------------------------------------ keeping a submission

  function summary(form) {
    var field = form.querySelector("textarea") || form.querySelector("input[type=text]");
    var text = field ? field.value.replace(/\s+/g, " ").trim() : "";
    return text.length > 60 ? text.slice(0, 60) + "…" : text;
  }

  function keyField(form) {
    var field = form.querySelector("input[name=" + FIELD + "]");
    if (!field) {
      field = document.createElement("input");
      field.type = "hidden";
      field.name = FIELD;
      field.value = newKey();
      form.appendChild(field);
    }
    return field;
  }

  function keep(form, data) {
    /* Keep the submission `data` (FormData) of `form`, which the network did not carry; empty the form for the next
       one. Resolves once kept; rejects where this browser cannot keep it (the caller then says so). */
    if (!user) return Promise.reject(new Error("signed out"));
    var fields = [];
    data.forEach(function (value, name) {
      var noFile = value instanceof Blob && !value.size && !value.name;  // a file input left empty
      if (name !== "csrfmiddlewaretoken" && !noFile) fields.push([name, value]);
    });
    var item = {
      key: data.get(FIELD) || newKey(),
      user: user,
      action: form.getAttribute("action") ? form.action : location.href,
      page: location.href.split("#")[0],
      title: document.title.split(" · ")[0],
      at: Date.now(),
      summary: summary(form),
      fields: fields,
      state: "waiting",
      note: "",
    };
    return put(item).then(function () {
      form.dispatchEvent(new Event("zhiben:kept"));  // drafts.js drops its copy: the queue holds it now
      form.reset();
      keyField(form).value = newKey();  // the next submission is another one
      form.querySelectorAll(".upload-note, .upload-error, .fielderror").forEach(function (el) { el.remove(); });
      return mine();
    }).then(function (items) {
      var note = document.createElement("div");
      note.className = "msg success kept-note";
      note.setAttribute("role", "status");
      note.textContent = "网络不通，“" + (item.summary || item.title) + "”已保存在本机（待发送 " + items.length +
        " 条），联网后自动发送。可以继续填写下一条。";
      note.appendChild(link("查看待发送", offlineUrl()));
      var old = form.parentNode.querySelector(".kept-note");
      if (old) old.remove();
      form.insertAdjacentElement("beforebegin", note);
      note.scrollIntoView({ block: "center" });
      bar(items);
    });
  }

  function link(text, href) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = " " + text;
    return a;
  }

  function offlineUrl() {
    return body.getAttribute("data-offline-page") || "/offline/";
  }

  // ------------------------------------------------------------------ sending what was kept

  function parse(html) {
    return new DOMParser().parseFromString(html, "text/html");
  }

  function texts(doc, selector) {
    var seen = [];
    doc.querySelectorAll(selector).forEach(function (el) {
      var t = el.textContent.replace(/\s+/g, " ").trim();
      if (t && seen.indexOf(t) < 0) seen.push(t);
    });
    return seen;
  }

  function signedIn(doc) {
    return doc.body && doc.body.getAttribute("data-user") === user;
  }

  function send(item) {
    /* Send one kept submission; resolves true to go on with the next, false to stop (no network, not signed in). */
    return fetch(item.page, { credentials: "same-origin" }).then(function (response) {
      return response.text().then(function (html) {
        var doc = parse(html), token = doc.querySelector("input[name=csrfmiddlewaretoken]");
        if (!signedIn(doc)) return settle(item, "signin", "登录已失效：请登录后发送。");
        if (response.redirected) {  // e.g. a password to change first: sent once that page is dealt with
          return settle(item, "failed", "表单页被转到“" + doc.title.split(" · ")[0] + "”：请先处理该页面，之后自动重试。");
        }
        if (!response.ok || !token) return settle(item, "failed", "表单页无法打开（" + response.status + "），稍后重试。");
        var data = new FormData();
        data.append("csrfmiddlewaretoken", token.value);
        item.fields.forEach(function (f) {
          if (f[1] instanceof Blob) data.append(f[0], f[1], f[1].name || "照片.jpg");
          else data.append(f[0], f[1]);
        });
        return fetch(item.action, { method: "POST", body: data, credentials: "same-origin" }).then(function (answer) {
          return answer.text().then(function (page) { return answered(item, answer, parse(page)); });
        });
      });
    }).catch(function () { return false; });  // no network: later
  }

  function answered(item, answer, doc) {
    if (!signedIn(doc)) return settle(item, "signin", "登录已失效：请登录后发送。");
    var saved = texts(doc, ".messages .msg.success, .messages .msg.info");
    if (answer.ok && answer.redirected && saved.length) {
      var sent = json(SENT + user, []);
      sent.unshift({ title: item.title, summary: item.summary, message: saved.join(" "), url: answer.url, at: Date.now() });
      local(SENT + user, JSON.stringify(sent.slice(0, SENT_KEPT)));
      return drop(item.key).then(function () { done.push(sent[0]); return true; });
    }
    var errors = texts(doc, "form .fielderror, form .errorlist li, form .msg.error, .messages .msg.error, .messages .msg.warning");
    if (answer.ok && (!answer.redirected || errors.length)) {  // the form again, or a refusal, with the server's words
      return settle(item, "returned", errors.join("；") || "表单未通过检查，请打开修改后重新提交。");
    }
    return settle(item, "failed", "服务器未能保存（" + answer.status + "），稍后自动重试。" + texts(doc, "h1").join(" "));
  }

  function settle(item, state, note) {
    item.state = state;
    item.note = note;
    item.tried = Date.now();
    return put(item).then(function () { return state !== "signin"; });
  }

  var done = [], running = null;

  function sync() {
    /* Send this user's kept submissions (not those sent back for correction), one after another. */
    if (running) return running;
    if (!user || navigator.onLine === false) return show();
    var work = function () {
      return mine().then(function (items) {
        return items.filter(function (i) { return i.state !== "returned"; }).reduce(function (chain, item) {
          return chain.then(function (go) { return go ? send(item) : false; });
        }, Promise.resolve(true));
      });
    };
    var locked = navigator.locks ? navigator.locks.request("zhiben-queue", { ifAvailable: true }, function (lock) {
      return lock ? work() : null;  // another tab is sending
    }) : work();
    running = locked.catch(function () { /* no IndexedDB */ }).then(function () {
      running = null;
      return show();
    });
    return running;
  }

  // ------------------------------------------------------------------ what the user sees

  function bar(items) {
    var main = document.querySelector("main.content"), el = document.querySelector(".queue-bar");
    if (!main || listPage) return;
    if (!items.length) {
      if (el) el.remove();
      return;
    }
    if (!el) {
      el = document.createElement("div");
      el.className = "msg warning queue-bar";
      el.setAttribute("role", "status");
      main.insertAdjacentElement("afterbegin", el);
    }
    var returned = items.filter(function (i) { return i.state === "returned"; }).length;
    var signin = items.some(function (i) { return i.state === "signin"; });
    el.textContent = (navigator.onLine === false ? "当前离线：" : "") + "本机有 " + items.length + " 条待发送的内容" +
      (returned ? "，其中 " + returned + " 条被退回需修改" : "") + (signin ? "，需登录后发送" : "") +
      (navigator.onLine === false ? "，联网后自动发送。" : "。");
    el.appendChild(link("查看", offlineUrl()));
  }

  function sentNote() {
    if (!done.length || listPage) return;
    var main = document.querySelector("main.content"), el = document.createElement("div");
    el.className = "msg success sent-note";
    el.setAttribute("role", "status");
    el.textContent = "已发送本机保存的 " + done.length + " 条内容：";
    done.forEach(function (s, i) {
      el.appendChild(document.createTextNode((i ? "；" : "") + s.message));
      el.appendChild(link("查看", s.url));
    });
    done = [];
    if (main) main.insertAdjacentElement("afterbegin", el);
  }

  function stamp(time) {
    var d = new Date(time), two = function (n) { return (n < 10 ? "0" : "") + n; };
    return two(d.getMonth() + 1) + "-" + two(d.getDate()) + " " + two(d.getHours()) + ":" + two(d.getMinutes());
  }

  function element(tag, className, text) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    if (text) el.textContent = text;
    return el;
  }

  function button(text, className, action) {
    var b = element("button", className, text);
    b.type = "button";
    b.addEventListener("click", action);
    return b;
  }

  var STATES = { waiting: "待发送", failed: "待重试", signin: "需登录", returned: "被退回" };

  function renderList(items) {
    listPage.textContent = "";
    if (!user) {
      listPage.appendChild(element("p", "muted", "本机没有登录用户的记录。"));
      return;
    }
    if (!items.length) listPage.appendChild(element("p", "muted", "没有待发送的内容。"));
    items.forEach(function (item) {
      var box = element("div", "queue-item"), files = item.fields.filter(function (f) { return f[1] instanceof Blob; });
      var size = files.reduce(function (n, f) { return n + f[1].size; }, 0);
      var head = element("p");
      head.appendChild(element("b", "", item.title));
      head.appendChild(document.createTextNode(" · 保存于 " + stamp(item.at) + " "));
      head.appendChild(element("span", "badge " + (item.state === "returned" ? "red" : "orange"), STATES[item.state] || item.state));
      box.appendChild(head);
      if (item.summary) box.appendChild(element("p", "", item.summary));
      if (files.length) box.appendChild(element("p", "help", "含 " + files.length + " 个文件（" + (size / 1048576).toFixed(1) + " MB）"));
      if (item.note) box.appendChild(element("p", item.state === "returned" ? "fielderror" : "help", item.note));
      var actions = element("p", "actions");
      if (item.state !== "returned") actions.appendChild(button("立即发送", "primary", function () { sync(); }));
      actions.appendChild(button("打开修改", item.state === "returned" ? "primary" : "", function () {
        location.href = item.page + "#kept=" + item.key;
      }));
      actions.appendChild(button("删除", "danger", function () {
        if (window.confirm("删除后无法恢复。确定删除这条未发送的“" + (item.summary || item.title) + "”？")) drop(item.key).then(show);
      }));
      box.appendChild(actions);
      listPage.appendChild(box);
    });
    var sentList = document.querySelector("[data-sent-list]"), sent = json(SENT + user, []);
    if (sentList && sent.length) {
      sentList.textContent = "";
      sent.forEach(function (s) {
        var p = element("p", "", stamp(s.at) + " " + s.title + (s.summary ? "“" + s.summary + "”" : "") + "：" + s.message);
        p.appendChild(link("查看", s.url));
        sentList.appendChild(p);
      });
    }
    var forms = document.querySelector("[data-offline-forms]"), kept = json(FORMS + user, {});
    if (forms && Object.keys(kept).length) {
      forms.textContent = "";
      Object.keys(kept).forEach(function (url) {
        var li = element("li");
        li.appendChild(link(kept[url], url));
        forms.appendChild(li);
      });
    }
  }

  function show() {
    var state = document.getElementById("offline-state");
    if (state && navigator.onLine === false) {
      state.className = "msg warning";
      state.textContent = "当前没有网络。下列内容保存在本机，联网后打开治本的任一页面即自动发送；可离线填写的表单仍可打开和提交。";
    }
    return mine().then(function (items) {
      if (listPage) renderList(items);
      else bar(items);
      sentNote();
    }).catch(function () {
      if (listPage) listPage.textContent = "此浏览器不能在本机保存内容（可能处于无痕模式或禁用了存储）。";
    });
  }

  // ------------------------------------------------------------------ a kept submission opened for correction

  function reopen(forms) {
    /* The kept submission named in the address (#kept=key) back in the form it came from (of this page's forms, the
       one sending where it was sent), to be checked and sent again. */
    var match = /^#kept=([A-Za-z0-9_-]+)$/.exec(location.hash);
    if (!match || !forms.length) return;
    history.replaceState(null, "", location.pathname + location.search);
    get(match[1]).then(function (item) {
      if (!item || item.user !== user) return;
      var form = forms.filter(function (f) { return f.action === item.action; })[0] || forms[0];
      var values = {}, files = {};
      item.fields.forEach(function (f) {
        if (f[1] instanceof Blob) (files[f[0]] = files[f[0]] || []).push(f[1]);
        else (values[f[0]] = values[f[0]] || []).push(f[1]);
      });
      Array.prototype.forEach.call(form.elements, function (field) {
        if (!field.name || field.name === "csrfmiddlewaretoken") return;
        var given = values[field.name];
        if (field.type === "file") {
          if (files[field.name] && typeof DataTransfer === "function") {
            var chosen = new DataTransfer();
            files[field.name].forEach(function (f) { chosen.items.add(f); });
            field.files = chosen.files;
          }
        } else if (field.type === "checkbox" || field.type === "radio") {
          field.checked = !!given && given.indexOf(field.value) >= 0;
        } else if (field.tagName === "SELECT" && field.multiple) {
          Array.prototype.forEach.call(field.options, function (o) { o.selected = !!given && given.indexOf(o.value) >= 0; });
        } else if (given && field.type !== "submit" && field.type !== "button") {
          field.value = given[0];
          field.dispatchEvent(new Event("change", { bubbles: true }));
        }
      });
      keyField(form).value = item.key;  // not saved yet: sent with the same key
      var note = element("div", "msg warning kept-note",
        "已打开本机保存的内容（" + stamp(item.at) + "）" + (item.note ? "，退回原因：" + item.note : "") + "。请核对修改后提交。");
      note.setAttribute("role", "status");
      form.insertAdjacentElement("beforebegin", note);
      return drop(item.key);  // the form holds it now (and drafts.js keeps what is typed)
    }).then(show).catch(function () { /* no IndexedDB */ });
  }

  // ------------------------------------------------------------------ the pages kept for offline use

  function forgetPages(who) {
    if (window.caches) caches.delete(PAGES);
    if (who) local(FORMS + who, null);
  }

  function keepForms() {
    /* The forms this user may fill in (body[data-offline]) and this page's own form, fetched into the service
       worker's page cache once, so that they open offline; their titles are listed on the offline page. */
    var wanted = (body.getAttribute("data-offline") || "").split(" ").filter(Boolean);
    // a form inline on a record's page (data-offline="inline") is sent later too, but its page is not kept
    if (document.querySelector('form[data-offline]:not([data-offline="inline"])')) wanted.push(location.pathname + location.search);
    if (!wanted.length || !window.caches) return;
    var kept = json(FORMS + user, {});
    caches.open(PAGES).then(function (cache) {
      wanted.forEach(function (url) {
        cache.match(url).then(function (found) {
          if (found && kept[url]) return;
          return fetch(url, { credentials: "same-origin" }).then(function (response) {
            if (!response.ok || response.redirected || !response.headers.get("X-Zhiben-Offline")) return;
            return response.clone().text().then(function (html) {
              kept[url] = parse(html).title.split(" · ")[0];
              local(FORMS + user, JSON.stringify(kept));
              return cache.put(url, response);
            });
          });
        }).catch(function () { /* offline */ });
      });
    });
  }

  // ------------------------------------------------------------------ start

  window.ZhibenOffline = { keep: keep, sync: sync };

  document.addEventListener("DOMContentLoaded", function () {
    var before = local(USER);
    if (!listPage) {
      if (before && before !== user) forgetPages(before);  // signed out, or another user signed in
      if (user) local(USER, user);
      else local(USER, null);
    }
    if (!user) {
      if (listPage) show();
      return;
    }
    var forms = Array.prototype.slice.call(document.querySelectorAll("form[data-offline]"));
    reopen(forms);
    forms.forEach(function (form, n) {
      keyField(form);
      if (n && form.getAttribute("data-offline") === "inline") return;  // a page of many such forms says it once
      if (window.indexedDB) {  // said where it holds: a browser that cannot keep anything shows no promise
        var help = element("p", "help offline-help", "网络不好也可以提交：未能发送的内容保存在本机，联网后自动发送。");
        help.appendChild(link("查看待发送", offlineUrl()));
        // above the form, or above the card that holds it (an inspection's first item, not inside it)
        (form.getAttribute("data-offline") === "inline" && form.parentNode.closest(".card") || form)
          .insertAdjacentElement("beforebegin", help);
      }
    });
    var logout = document.querySelector("form[data-logout]");
    if (logout) logout.addEventListener("submit", function () { forgetPages(user); local(USER, null); });
    var worker = body.getAttribute("data-sw");
    if (worker && navigator.serviceWorker && window.isSecureContext) {
      navigator.serviceWorker.register(worker).catch(function () { /* served over HTTP: the queue still works */ });
      navigator.serviceWorker.ready.then(keepForms);
    }
    window.addEventListener("online", sync);
    window.addEventListener("offline", show);
    setInterval(sync, MINUTE);
    sync();
  });
})();
