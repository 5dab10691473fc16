/* Evidence from phones in the field, where uploads fail most (a weak signal, photos of 5–10 MB):
   - a photo chosen in an input marked data-shrink-px is re-drawn on the phone to at most that many pixels on its long
     side (JPEG), when it is larger than data-shrink-over bytes and the result is smaller (a HEIC photo always, where
     the browser can decode it); the line under the input says what was shrunk. Anything the browser cannot decode
     is sent as it is;
   - a form with files to send (256 KB or more) uploads them in the background with its progress shown; if the
     network drops, the form stays filled in with a message to submit again (instead of the browser's error page
     and an empty form). The answer (the next page, or the form with its errors) is shown as the browser would
     have shown it;
   - a form that works offline (form[data-offline]) is always sent so, files or not: a submission the network does
     not carry (no network, a dropped connection, a gateway that cannot reach the server) is handed to offline.js,
     which keeps it in the browser and sends it later.
   Without JavaScript, or in a browser without these APIs, the forms post as they always did. */
(function () {
  "use strict";
  var PHOTO = /^image\/(jpeg|png|webp)$/;
  var HEIC = /^image\/hei[cf]$/;  // an iPhone's own format, which the server does not take: made a JPEG whatever its size
  var BACKGROUND_OVER = 256 * 1024;  // smaller uploads take a second or two even on a weak signal: posted as usual

  function mb(bytes) {
    return (bytes / 1048576).toFixed(1) + " MB";
  }

  function line(anchor, className, text, role) {  // one status line after `anchor`, reused (by its first class)
    var el = anchor.parentNode.querySelector("." + className.split(" ")[0]);
    if (!el) {
      el = document.createElement("p");
      el.className = className;
      if (role) el.setAttribute("role", role);
      anchor.insertAdjacentElement("afterend", el);
    }
    el.textContent = text;
    el.hidden = !text;
    return el;
  }

  var SUBMITS = "button[type=submit], button:not([type]), input[type=submit]";

  function hold(form) {  // no second submission during the upload; buttons disabled before stay so after it
    form.querySelectorAll(SUBMITS).forEach(function (b) {
      if (b.disabled) b.setAttribute("data-was-disabled", "");
      else b.disabled = true;
    });
  }

  function release(form) {
    form.querySelectorAll(SUBMITS).forEach(function (b) {
      if (b.hasAttribute("data-was-disabled")) b.removeAttribute("data-was-disabled");
      else b.disabled = false;
    });
  }

  function shrink(file, maxSide) {
    return createImageBitmap(file).then(function (bitmap) {  // EXIF orientation applied
      var scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(bitmap.width * scale));
      canvas.height = Math.max(1, Math.round(bitmap.height * scale));
      var context = canvas.getContext("2d");
      context.fillStyle = "#fff";  // transparent parts of a PNG become white, not black, in a JPEG
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      if (bitmap.close) bitmap.close();
      return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", 0.85); });
    }).then(function (blob) {
      if (!blob || (blob.size >= file.size && !HEIC.test(file.type))) return file;
      var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
      return new File([blob], name, { type: "image/jpeg", lastModified: file.lastModified });
    }).catch(function () { return file; });
  }

  function shrinkChosen(input) {
    var maxSide = parseInt(input.getAttribute("data-shrink-px"), 10);
    var over = parseInt(input.getAttribute("data-shrink-over"), 10) || 0;
    var files = Array.prototype.slice.call(input.files || []);
    var big = function (f) { return (PHOTO.test(f.type) && f.size > over) || HEIC.test(f.type); };
    if (!maxSide || !files.some(big) || typeof createImageBitmap !== "function" || typeof DataTransfer !== "function") {
      return;
    }
    var form = input.form;
    if (form) form.setAttribute("data-busy", "1");  // a submission meanwhile waits for the photos (below)
    line(input, "upload-note help", "正在本机压缩照片……");
    Promise.all(files.map(function (f) { return big(f) ? shrink(f, maxSide) : f; })).then(function (out) {
      var chosen = new DataTransfer(), before = 0, after = 0, count = 0;
      out.forEach(function (f, i) {
        chosen.items.add(f);
        if (f !== files[i]) {
          count += 1;
          before += files[i].size;
          after += f.size;
        }
      });
      input.files = chosen.files;
      line(input, "upload-note help", count ? "已在本机压缩 " + count + " 张照片：" + mb(before) + " → " + mb(after) + "。" : "");
    }).finally(function () {
      if (!form) return;
      form.removeAttribute("data-busy");
      if (form.waiting) {
        var submitter = form.waiting.submitter;
        form.waiting = null;
        form.requestSubmit(submitter);
      }
    });
  }

  function show(html, url) {  // the answer in place of this page, as a navigation to `url` would show it
    document.open();
    document.write(html);
    document.close();
    if (url) history.replaceState(null, "", url);
    window.scrollTo(0, 0);
  }

  function offline(form) {
    return form.hasAttribute("data-offline") && window.ZhibenOffline;
  }

  function upload(form, submitter) {
    var data = new FormData(form);
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    if (offline(form) && navigator.onLine === false) return kept(form, data, null);
    var anchor = submitter || form.lastElementChild;
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.className = "upload-progress";
    anchor.insertAdjacentElement("afterend", bar);
    var status = line(bar, "upload-status help", "正在上传……", "status");
    line(anchor, "upload-error", "");
    hold(form);
    var xhr = new XMLHttpRequest();
    var action = form.getAttribute("action") ? form.action : location.href;
    xhr.open("POST", action);
    xhr.upload.onprogress = function (event) {
      if (!event.lengthComputable) return;
      bar.value = Math.round((event.loaded / event.total) * 100);
      status.textContent = "正在上传 " + bar.value + "%（" + mb(event.loaded) + " / " + mb(event.total) + "）";
    };
    xhr.upload.onload = function () {
      bar.value = 100;
      status.textContent = "上传完成，正在保存……";
    };
    var failed = function () {
      bar.remove();
      status.remove();
      release(form);
      if (offline(form)) return kept(form, data, anchor);
      dropped(anchor);
    };
    xhr.onload = function () {
      if (GATEWAY.indexOf(xhr.status) >= 0 && offline(form)) return failed();  // the server was not reached
      var moved = xhr.responseURL && xhr.responseURL !== action;  // redirected after saving
      show(xhr.responseText, moved ? xhr.responseURL : null);
    };
    xhr.onerror = xhr.onabort = xhr.ontimeout = failed;
    xhr.send(data);
  }

  var GATEWAY = [502, 503, 504];

  function dropped(anchor) {
    var error = line(anchor, "upload-error", "网络中断，未能提交（文件未上传，也未保存任何内容）。表单内容仍在，请检查网络后再点提交。", "alert");
    error.scrollIntoView({ block: "center" });
  }

  function kept(form, data, anchor) {  // kept in the browser to be sent later; where it cannot be, as a dropped upload
    window.ZhibenOffline.keep(form, data).catch(function () {
      dropped(anchor || form.querySelector(SUBMITS) || form.lastElementChild);
    });
  }

  window.addEventListener("change", function (event) {
    var input = event.target;
    if (input.matches && input.matches("input[type=file][data-shrink-px]")) shrinkChosen(input);
  });

  window.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || (form.getAttribute("method") || "").toLowerCase() !== "post") return;
    if (form.getAttribute("data-busy")) {  // photos still being shrunk: sent once they are
      event.preventDefault();
      form.waiting = { submitter: event.submitter || null };
      form.querySelectorAll(".upload-note").forEach(function (note) { note.textContent = "正在本机压缩照片，完成后自动提交……"; });
      return;
    }
    var bytes = 0;
    form.querySelectorAll("input[type=file]").forEach(function (input) {
      Array.prototype.forEach.call(input.files || [], function (f) { bytes += f.size; });
    });
    if (typeof FormData !== "function") return;
    if (!offline(form) && (bytes < BACKGROUND_OVER || form.enctype !== "multipart/form-data")) return;
    event.preventDefault();
    upload(form, event.submitter);
  });
})();
