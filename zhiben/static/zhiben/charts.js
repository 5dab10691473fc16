/* The charts of the big screen and of the dashboard, drawn with the ECharts the project serves itself.
   Reads its configuration from <script id="chart-config" type="application/json"> (analytics.views.chart_config),
   asks the figures API (/api/v1/analytics/table, /trend, /records) and draws every .chart-panel[data-chart] on the
   page: headline (gauges and numbers), trend, industry, region (the uploaded map, else ranked bars), listed (a
   ticker). Each panel has a table view of the same numbers (the toggle) and an Excel export (a plain link).
   With `refresh` > 0 the numbers are fetched again every `refresh` seconds, without reloading the page. */
(function () {
  "use strict";
  var node = document.getElementById("chart-config");
  if (!node) return;
  var cfg = JSON.parse(node.textContent);
  var dark = cfg.page === "screen";
  var hasCharts = cfg.echarts && typeof window.echarts !== "undefined";
  var keys = cfg.keys;
  var params = cfg.params;
  var panels = {};
  var instances = {};
  var mapLoaded = null;
  var statusNode = document.querySelector("[data-chart-status]");
  var GREEN = "#2fc25b", ORANGE = "#f5a623", RED = "#ff4d4f", BLUE = "#3ba0ff", GREY = "#8a94a6";
  var TEXT = dark ? "#d6e4ff" : "#333";

  Array.prototype.forEach.call(document.querySelectorAll(".chart-panel[data-chart]"), function (panel) {
    panels[panel.getAttribute("data-chart")] = panel;
  });

  // ------------------------------------------------------------------ helpers

  function query(values) {
    return Object.keys(values)
      .filter(function (k) { return values[k] !== "" && values[k] !== null && values[k] !== undefined; })
      .map(function (k) { return encodeURIComponent(k) + "=" + encodeURIComponent(values[k]); })
      .join("&");
  }

  function getJSON(url, values) {
    // a background read: it does not count as the user's activity (an unattended screen still logs out when idle)
    var headers = { Accept: "application/json", "X-Zhiben-Background": "1" };
    return fetch(url + "?" + query(values), { credentials: "same-origin", headers: headers })
      .then(function (response) {
        var type = response.headers.get("content-type") || "";
        if (response.redirected || response.status === 401 || type.indexOf("json") < 0) {
          var expired = new Error("登录已过期");
          expired.login = true;
          throw expired;
        }
        if (!response.ok) {
          return response.json().then(function (body) {
            throw new Error(body.detail || "服务器返回 " + response.status);
          });
        }
        return response.json();
      });
  }

  function unique(list) {
    return list.filter(function (item, index) { return item && list.indexOf(item) === index; });
  }

  function figuresOf(body) {
    var out = {};
    body.figures.forEach(function (f) { out[f.key] = f; });
    return out;
  }

  function format(value, unit) {
    if (value === null || value === undefined) return "—";
    return unit === "%" ? Number(value).toFixed(1) + "%" : String(value);
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function link(text, href) {
    if (!href) return el("span", "", text);
    var a = el("a", "", text);
    a.href = href;
    return a;
  }

  function clock() {
    // in the platform's time zone (cfg.tz), as the server writes 统计于: a big screen's PC is often left on UTC
    var d = new Date();
    try {
      return d.toLocaleTimeString("zh-CN", { timeZone: cfg.tz || "Asia/Shanghai", hour12: false });
    } catch (e) {
      function two(n) { return (n < 10 ? "0" : "") + n; }
      return two(d.getHours()) + ":" + two(d.getMinutes()) + ":" + two(d.getSeconds());
    }
  }

  function drillLink(code) {
    return cfg.drill + "?" + query({ region: code, period: params.period, industry: params.industry });
  }

  /* The table view: columns [{label, num}], rows [{cells: [{text, href}], total}]. */
  function drawTable(panel, columns, rows) {
    var box = panel.querySelector(".chart-table");
    box.textContent = "";
    var table = el("table", "chart-data");
    var head = el("thead");
    var tr = el("tr");
    columns.forEach(function (c) { tr.appendChild(el("th", c.num ? "num" : "", c.label)); });
    head.appendChild(tr);
    table.appendChild(head);
    var body = el("tbody");
    rows.forEach(function (row) {
      var line = el("tr", row.total ? "total" : "");
      row.cells.forEach(function (cell, i) {
        var td = el("td", columns[i].num ? "num" : "");
        td.setAttribute("data-label", columns[i].label);
        td.appendChild(link(cell.text, cell.href));
        line.appendChild(td);
      });
      body.appendChild(line);
    });
    if (!rows.length) {
      var empty = el("tr");
      var td = el("td", "muted", "没有数据。");
      td.colSpan = columns.length;
      empty.appendChild(td);
      body.appendChild(empty);
    }
    table.appendChild(body);
    box.appendChild(table);
  }

  function note(panel, text) {
    var p = panel.querySelector(".chart-note");
    if (!p) return;
    p.textContent = text || "";
    p.hidden = !text;
  }

  function setView(panel, tableView) {
    var chart = panel.querySelector(".chart");
    var table = panel.querySelector(".chart-table");
    var button = panel.querySelector(".chart-toggle");
    panel.classList.toggle("show-table", tableView);
    if (chart) chart.hidden = tableView;
    if (table) table.hidden = !tableView;
    if (button) {
      button.setAttribute("aria-pressed", tableView ? "true" : "false");
      button.textContent = tableView ? "图表" : "表格";
    }
    var instance = instances[panel.getAttribute("data-chart")];
    if (!tableView && instance) instance.resize();
  }

  function chartOf(kind) {
    if (!hasCharts) return null;
    if (!instances[kind]) {
      var box = panels[kind].querySelector(".chart");
      instances[kind] = window.echarts.init(box, dark ? "dark" : null, { renderer: "canvas" });
    }
    return instances[kind];
  }

  function base(option) {
    option.backgroundColor = "transparent";
    option.textStyle = { fontFamily: "Noto Sans CJK SC, WenQuanYi Zen Hei, sans-serif" };
    option.animationDuration = 600;
    return option;
  }

  function rateColour(value) {
    if (value === null || value === undefined) return GREY;
    if (value >= 90) return GREEN;
    if (value >= 60) return ORANGE;
    return RED;
  }

  // ------------------------------------------------------------------ the charts

  var lastHeadline = null;

  function drawHeadline(body) {
    lastHeadline = body;
    var panel = panels.headline;
    var figures = figuresOf(body);
    var total = body.rows[0];
    var gauges = keys.gauges.filter(function (k) { return figures[k]; });
    var numbers = keys.numbers.filter(function (k) { return figures[k]; });
    var chart = chartOf("headline");
    if (chart) {
      var n = Math.max(gauges.length, 1);
      // each gauge gets its share of the width: the radius and the type follow the space (a phone, a wall)
      var radius = Math.max(30, Math.min(chart.getWidth() / n / 2 - 8, chart.getHeight() / 2 - 18));
      var big = radius >= 60;
      chart.setOption(base({
        series: gauges.map(function (key, i) {
          var value = total.values[key];
          var colour = rateColour(value);
          return {
            type: "gauge",
            center: [(100 / (2 * n)) * (2 * i + 1) + "%", "55%"],
            radius: radius,
            min: 0,
            max: 100,
            startAngle: 215,
            endAngle: -35,
            progress: { show: true, width: big ? 14 : 9, itemStyle: { color: colour } },
            axisLine: { lineStyle: { width: big ? 14 : 9, color: [[1, dark ? "rgba(255,255,255,0.12)" : "#e8edf3"]] } },
            axisTick: { show: false },
            splitLine: { show: false },
            axisLabel: { show: false },
            pointer: { show: false },
            anchor: { show: false },
            title: { offsetCenter: [0, "72%"], fontSize: big ? 16 : 12, color: TEXT },
            detail: {
              offsetCenter: [0, "5%"],
              fontSize: big ? 30 : 18,
              fontWeight: "bold",
              color: colour,
              formatter: function () { return format(value, "%"); },
            },
            data: [{ value: value === null || value === undefined ? 0 : value, name: figures[key].label }],
          };
        }),
      }), true);
    }
    var box = panel.querySelector(".kpis");
    if (box) {
      box.textContent = "";
      numbers.forEach(function (key) {
        var value = total.values[key];
        var tile = link("", total.urls[key]);
        tile.className = "kpi" + (value ? " red" : "");
        tile.appendChild(el("b", "", format(value, figures[key].unit)));
        tile.appendChild(el("span", "", figures[key].label));
        box.appendChild(tile);
      });
    }
    drawTable(
      panel,
      [{ label: "指标" }, { label: "数值", num: true }],
      gauges.concat(numbers).map(function (key) {
        return { cells: [{ text: figures[key].label }, { text: format(total.values[key], figures[key].unit), href: total.urls[key] }] };
      })
    );
  }

  function monthLabel(text, index) {
    var year = text.slice(0, 4), month = parseInt(text.slice(5), 10);
    return index === 0 || month === 1 ? year + "年" + month + "月" : month + "月";
  }

  function drawTrend(body) {
    var panel = panels.trend;
    var figures = body.figures;
    var chart = chartOf("trend");
    if (chart) {
      var colours = [BLUE, GREEN, ORANGE, RED];
      chart.setOption(base({
        color: colours,
        tooltip: { trigger: "axis" },
        legend: { top: 0, textStyle: { color: TEXT } },
        grid: { left: 28, right: 24, top: 36, bottom: 8, containLabel: true },
        xAxis: {
          type: "category",
          boundaryGap: false,
          axisLabel: { hideOverlap: true },
          data: body.rows.map(function (r, i) { return monthLabel(r.period, i); }),
        },
        yAxis: { type: "value", minInterval: 1 },
        series: figures.map(function (f, i) {
          return {
            name: f.label,
            type: "line",
            smooth: true,
            symbolSize: 6,
            areaStyle: i === 0 ? { opacity: 0.15 } : undefined,
            data: body.rows.map(function (r) { return r.values[f.key]; }),
          };
        }),
      }), true);
    }
    drawTable(
      panel,
      [{ label: "月份" }].concat(figures.map(function (f) { return { label: f.label, num: true }; })),
      body.rows.map(function (r) {
        return {
          cells: [{ text: r.label }].concat(figures.map(function (f) {
            return { text: format(r.values[f.key], f.unit), href: r.urls[f.key] };
          })),
        };
      })
    );
  }

  function figureRows(body, figures, linkNames) {
    return body.rows.map(function (row) {
      var real = linkNames && !row.total && row.code !== body.region_code && row.name.charAt(0) !== "（";
      return {
        total: row.total,
        cells: [{ text: row.name, href: real ? drillLink(row.code) : "" }].concat(figures.map(function (f) {
          return { text: format(row.values[f.key], f.unit), href: row.urls[f.key] };
        })),
      };
    });
  }

  function drawIndustry(body) {
    var panel = panels.industry;
    var figures = body.figures;
    var rows = body.rows.filter(function (r) { return !r.total; });
    var first = figures[0].key;
    rows.sort(function (a, b) { return (b.values[first] || 0) - (a.values[first] || 0); });
    var top = rows.slice(0, 10);
    note(panel, rows.length ? (rows.length > 10 ? "图中为前 10 个行业，表格中为全部 " + rows.length + " 个。" : "") : "本期没有按行业统计到的隐患。");
    var chart = chartOf("industry");
    if (chart) {
      chart.setOption(base({
        color: [BLUE, ORANGE],
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        legend: { top: 0, textStyle: { color: TEXT } },
        grid: { left: 8, right: 40, top: 36, bottom: 8, containLabel: true },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", inverse: true, data: top.map(function (r) { return r.name; }), axisLabel: { interval: 0 } },
        series: figures.map(function (f) {
          return { name: f.label, type: "bar", barMaxWidth: 16, label: { show: true, position: "right" }, data: top.map(function (r) { return r.values[f.key]; }) };
        }),
      }), true);
    }
    drawTable(panel, [{ label: "行业" }].concat(figures.map(function (f) { return { label: f.label, num: true }; })), figureRows(body, figures, false));
  }

  function loadMap() {
    if (!mapLoaded) {
      mapLoaded = fetch(cfg.map.url, { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error("地图读取失败（" + response.status + "）");
          return response.json();
        })
        .then(function (geojson) {
          window.echarts.registerMap(cfg.region.code, geojson);
          return true;
        })
        .catch(function (error) {
          mapLoaded = null;
          throw error;
        });
    }
    return mapLoaded;
  }

  function drawRegion(body) {
    var panel = panels.region;
    var figures = figuresOf(body);
    var shown = keys.region.filter(function (k) { return figures[k]; }).map(function (k) { return figures[k]; });
    var measure = shown[0];
    // the chart: the children (a row without a value of the measure, e.g. 本级 with nothing counted, only in the table)
    var rows = body.rows.filter(function (r) {
      return !r.total && measure && r.values[measure.key] !== null && r.values[measure.key] !== undefined;
    });
    drawTable(panel, [{ label: "区划" }].concat(shown.map(function (f) { return { label: f.label, num: true }; })), figureRows({ rows: body.rows, region_code: body.region_code }, shown, true));
    var title = panel.querySelector("[data-measure]");
    if (title && measure) title.textContent = "（" + measure.label + "）";
    if (!cfg.region.has_children) {
      note(panel, cfg.region.name + "没有下级区划，只有合计。");
      setView(panel, true);
      var button = panel.querySelector(".chart-toggle");
      if (button) button.hidden = true;
      return null;
    }
    note(panel, "");
    var chart = chartOf("region");
    if (!chart || !measure) return null;
    var values = rows.map(function (r) { return r.values[measure.key] || 0; });
    var max = Math.max.apply(null, values.concat([1]));
    if (cfg.map) {
      return loadMap().then(function () {
        panel.classList.add("on-map");
        chart.setOption(base({
          tooltip: {
            trigger: "item",
            formatter: function (p) { return p.name + "<br>" + measure.label + "：" + (p.value === undefined || isNaN(p.value) ? "—" : p.value); },
          },
          visualMap: {
            min: 0,
            max: max,
            left: 8,
            bottom: 8,
            calculable: true,
            text: ["多", "少"],
            textStyle: { color: TEXT },
            inRange: { color: dark ? ["#16325c", "#2f7ed8", ORANGE, RED] : ["#e6f0ff", "#74a9f5", ORANGE, RED] },
          },
          series: [{
            name: measure.label,
            type: "map",
            map: cfg.region.code,
            roam: false,
            label: { show: true, color: dark ? "#fff" : "#222", fontSize: 12 },
            emphasis: { label: { color: "#fff" }, itemStyle: { areaColor: "#ffc53d" } },
            itemStyle: { borderColor: dark ? "#7fb2ff" : "#fff", borderWidth: 1 },
            data: rows.map(function (r) { return { name: r.name, value: r.values[measure.key] }; }),
          }],
        }), true);
      });
    }
    var ranked = rows.slice().sort(function (a, b) { return (b.values[measure.key] || 0) - (a.values[measure.key] || 0); });
    chart.setOption(base({
      color: [measure.better === "lower" ? ORANGE : BLUE],
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: ranked.map(function (r) { return r.name; }), axisLabel: { interval: 0 } },
      dataZoom: ranked.length > 20 ? [{ type: "slider", yAxisIndex: 0, startValue: 0, endValue: 19, right: 0, width: 12 }] : [],
      series: [{
        name: measure.label,
        type: "bar",
        barMaxWidth: 18,
        label: { show: true, position: "right" },
        data: ranked.map(function (r) { return r.values[measure.key]; }),
      }],
    }), true);
    return null;
  }

  function drawListed(body) {
    var panel = panels.listed;
    var list = panel.querySelector(".ticker-list");
    list.textContent = "";
    list.classList.remove("scrolling");
    body.rows.forEach(function (r) {
      var item = el("li");
      var a = link("", r.url);
      a.appendChild(el("b", "", r.values.listed || "挂牌"));
      a.appendChild(el("span", "ticker-subject", r.values.subject));
      a.appendChild(el("span", "ticker-text", r.values.description));
      a.appendChild(el("small", "", (r.values.region || "") + (r.values.deadline ? " · 整改期限 " + r.values.deadline : "")));
      item.appendChild(a);
      list.appendChild(item);
    });
    note(panel, body.rows.length ? "" : "目前没有挂牌督办中的隐患。");
    var box = panel.querySelector(".ticker");
    if (dark && body.rows.length > 3 && list.scrollHeight > box.clientHeight) {
      Array.prototype.slice.call(list.children).forEach(function (item) {
        var copy = item.cloneNode(true);
        copy.setAttribute("aria-hidden", "true");
        list.appendChild(copy);
      });
      list.style.animationDuration = body.rows.length * 4 + "s";
      list.classList.add("scrolling");
    }
    drawTable(
      panel,
      body.columns.map(function (c) { return { label: c.label, num: c.key === "days_overdue" }; }),
      body.rows.map(function (r) {
        return { cells: body.columns.map(function (c, i) { return { text: format(r.values[c.key], ""), href: i === 0 ? r.url : "" }; }) };
      })
    );
  }

  // ------------------------------------------------------------------ loading and refreshing

  function settle(job) {
    return job.then(function () { return null; }, function (error) { return error; });
  }

  function load() {
    var common = { region: params.region, period: params.period, industry: params.industry };
    var jobs = [];
    var tableKeys = unique((panels.headline ? keys.gauges.concat(keys.numbers) : []).concat(panels.region ? keys.region : []));
    if (tableKeys.length) {
      jobs.push(getJSON(cfg.api.table, Object.assign({ by: "region", keys: tableKeys.join(",") }, common)).then(function (body) {
        if (panels.headline) drawHeadline(body);
        if (panels.region) return drawRegion(body);
        return null;
      }));
    }
    if (panels.industry && keys.industry.length) {
      jobs.push(getJSON(cfg.api.table, Object.assign({ by: "industry", keys: keys.industry.join(",") }, common)).then(drawIndustry));
    }
    if (panels.trend && keys.trend.length) {
      jobs.push(getJSON(cfg.api.trend, Object.assign({ months: keys.trend_months, keys: keys.trend.join(",") }, common)).then(drawTrend));
    }
    if (panels.listed && keys.ticker) {
      jobs.push(getJSON(cfg.api.records, Object.assign({ key: keys.ticker, limit: keys.ticker_limit }, common)).then(drawListed));
    }
    return Promise.all(jobs.map(settle)).then(report);
  }

  function report(errors) {
    var failed = errors.filter(function (e) { return e; });
    document.documentElement.setAttribute("data-charts", failed.length ? "error" : "ready");
    if (!statusNode) return;
    statusNode.textContent = "";
    statusNode.classList.toggle("error", failed.length > 0);
    if (!failed.length) {
      statusNode.textContent = "更新于 " + clock() + (cfg.refresh ? " · 每 " + cfg.refresh + " 秒刷新" : "");
      return;
    }
    if (failed.some(function (e) { return e.login; })) {
      statusNode.appendChild(document.createTextNode("登录已过期，数据停止更新。"));
      statusNode.appendChild(link("重新登录", "/accounts/login/?next=" + encodeURIComponent(location.pathname + location.search)));
      return;
    }
    statusNode.textContent = "更新失败（" + clock() + "）：" + failed[0].message + "；显示的是上次的数据" + (cfg.refresh ? "，" + cfg.refresh + " 秒后重试" : "");
  }

  Object.keys(panels).forEach(function (kind) {
    var panel = panels[kind];
    var button = panel.querySelector(".chart-toggle");
    if (!hasCharts && kind !== "listed") {
      setView(panel, true);
      if (button) button.hidden = true;
      return;
    }
    if (button) {
      button.addEventListener("click", function () { setView(panel, !panel.classList.contains("show-table")); });
    }
  });

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      Object.keys(instances).forEach(function (kind) { instances[kind].resize(); });
      if (lastHeadline) drawHeadline(lastHeadline);
    }, 150);
  });

  load();
  if (cfg.refresh > 0) {
    setInterval(function () { if (!document.hidden) load(); }, cfg.refresh * 1000);
  }
})();
