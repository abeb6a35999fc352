// Deflection while composing: as the customer types a title on the new-thread form, show
// threads and KB articles that may already answer it (GET /api/v1/search/similar).
// Progressive enhancement: without JavaScript the form works as before.
(function () {
  "use strict";
  var box = document.getElementById("similar");
  var title = document.getElementById("title");
  if (!box || !title || !window.fetch) {
    return;
  }
  var list = box.querySelector("ul");
  var endpoint = box.getAttribute("data-endpoint");
  var timer = null;
  var last = "";

  function label(item) {
    if (item.type === "article") {
      return "Official KB article";
    }
    return item.solved ? "Solved thread" : "Thread";
  }

  function show(items) {
    while (list.firstChild) {
      list.removeChild(list.firstChild);
    }
    items.forEach(function (item) {
      var li = document.createElement("li");
      var link = document.createElement("a");
      link.href = item.url;
      link.textContent = item.title;
      var badge = document.createElement("span");
      badge.className = item.type === "article" ? "badge badge-official" : "badge";
      badge.textContent = label(item);
      li.appendChild(link);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(badge);
      list.appendChild(li);
    });
    box.hidden = items.length === 0;
  }

  function lookUp() {
    var text = title.value.trim();
    if (text === last) {
      return;
    }
    last = text;
    if (text.length < 8) {
      show([]);
      return;
    }
    fetch(endpoint + "?title=" + encodeURIComponent(text), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.ok ? response.json() : { items: [] };
      })
      .then(function (data) {
        if (title.value.trim() === text) {
          show(data.items || []);
        }
      })
      .catch(function () {
        show([]);
      });
  }

  title.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(lookUp, 350);
  });
})();
