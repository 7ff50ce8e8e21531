// Bulk actions with a progress bar: the form is posted to /bulk/stream, which answers one
// JSON line per item as it is done. Without JavaScript the form posts to /bulk instead and
// the page that comes back lists every item.
(function () {
  var form = document.getElementById("bulk-form");
  if (!form || !window.fetch || !window.TextDecoder) { return; }
  var box = document.getElementById("bulk-progress");
  var bar = document.getElementById("bulk-bar");
  var count = document.getElementById("bulk-count");
  var table = document.getElementById("bulk-results");
  var body = table.querySelector("tbody");
  // The page's words in its language (bulk.html), English if they are missing.
  var words = {done: "done", not_done: "not done:", starting: "starting…", refused: "refused",
               progress: "{done} of {total} ({failed} not done)",
               failed: "the connection failed: reload to see what was done"};
  var given = document.getElementById("bulk-text");
  if (given) { words = JSON.parse(given.textContent); }

  function row(item) {
    var tr = document.createElement("tr");
    tr.className = item.ok ? "ok" : "failed";
    [String(item.index + 1), String(item.id),
     item.ok ? words.done : words.not_done + " " + item.error + (item.field ? " (" + item.field + ")" : "")
    ].forEach(function (text) {
      var td = document.createElement("td");
      td.textContent = text;  // text, never markup
      tr.appendChild(td);
    });
    body.appendChild(tr);
  }

  function show(line) {
    var msg = JSON.parse(line);
    var p = msg.progress || msg.summary;
    if (msg.item) { row(msg.item); }
    if (p) {
      bar.max = p.total; bar.value = p.done;
      count.textContent = words.progress.replace("{done}", p.done).replace("{total}", p.total)
        .replace("{failed}", p.failed);
    }
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    body.textContent = "";
    table.hidden = false; box.hidden = false;
    count.textContent = words.starting;
    fetch(form.dataset.stream, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          return response.json().then(function (p) { count.textContent = p.error || words.refused; });
        }
        var reader = response.body.getReader();
        var decoder = new TextDecoder();
        var buffer = "";
        function pump() {
          return reader.read().then(function (chunk) {
            if (chunk.done) { if (buffer.trim()) { show(buffer); } delete form.dataset.sent; return; }
            buffer += decoder.decode(chunk.value, { stream: true });
            var lines = buffer.split("\n");
            buffer = lines.pop();
            lines.forEach(function (l) { if (l.trim()) { show(l); } });
            return pump();
          });
        }
        return pump();
      })
      .catch(function () { count.textContent = words.failed; });
  });
})();
