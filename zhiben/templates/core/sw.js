/* 治本's service worker (served at /sw.js by core.views.service_worker, so that it may answer for every page).
   It keeps what a phone needs to fill in a form without a network, and nothing else:
   - the pages marked by the server for it (header X-Zhiben-Offline: the forms of core.offline.offline_form), each
     time one is opened online; a page asked for offline is answered from them;
   - the site's own scripts and styles, answered from the copy at hand and refreshed behind it;
   - the offline page, shown for any other page asked for without a network.
   Pages are kept only from answers that were not redirected (a sign-in page is never kept for a form) and are
   forgotten at sign-out (offline.js). What is submitted offline is kept by offline.js, not here. */
"use strict";
var VERSION = "{{ version }}";
var ASSETS = "zhiben-assets-" + VERSION, PAGES = "zhiben-pages";
var KEEP = {{ keep|safe }};
var OFFLINE = {{ offline|safe }}, STATIC = {{ static_prefix|safe }}, HEADER = "X-Zhiben-Offline";

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(ASSETS).then(function (cache) {
    return cache.addAll(KEEP);
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("zhiben-assets-") === 0 && name !== ASSETS;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function page(request) {
  return fetch(request).then(function (response) {
    if (response.ok && !response.redirected && response.headers.get(HEADER)) {
      var copy = response.clone();
      caches.open(PAGES).then(function (cache) { return cache.put(request.url, copy); });
    }
    return response;
  }).catch(function () {  // no network: the kept page, the same page kept with other parameters, or the offline page
    return caches.open(PAGES).then(function (cache) {
      // ignoreVary: the pages vary by cookie, which a kept copy of this browser's own session may ignore
      return cache.match(request.url, { ignoreVary: true }).then(function (found) {
        return found || cache.match(request.url, { ignoreSearch: true, ignoreVary: true });
      });
    }).then(function (found) {
      return found || caches.match(OFFLINE, { cacheName: ASSETS });
    }).then(function (found) {
      return found || Response.error();
    });
  });
}

function asset(request) {
  return caches.open(ASSETS).then(function (cache) {
    return cache.match(request).then(function (found) {
      var fresh = fetch(request).then(function (response) {
        if (response.ok) cache.put(request, response.clone());
        return response;
      });
      if (found) {
        fresh.catch(function () { /* offline: the copy at hand did */ });
        return found;
      }
      return fresh;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate") event.respondWith(page(request));
  else if (url.pathname.indexOf(STATIC) === 0) event.respondWith(asset(request));
});
