// The studio's live-progress page: plain ES modules, no build step. It uses the public API only
// (the same routes as the SDK): sign in, pick a project, start or open a workflow, watch it over
// WebSocket (resuming with last_seq), show storyboard cards as they are drawn, play the export.
const $ = (sel) => document.querySelector(sel);
const STEP_NAMES = {
  script_parsing: "剧本解析 Script",
  character_generation: "角色生成 Characters",
  storyboard_generation: "分镜生成 Storyboards",
  video_rendering: "视频渲染 Rendering",
};
const state = {
  token: sessionStorage.getItem("sds.token"),
  project: null,
  workflowId: null,
  socket: null,
  lastSeq: -1,
};

async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: {
      ...(body ? { "Content-Type": "application/json" } : {}),
      ...(state.token ? { Authorization: `Bearer ${state.token}` } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  if (res.status === 401 && state.token) signOut();
  if (!res.ok) throw new Error(data?.detail ?? `HTTP ${res.status}`);
  return data;
}

function show(id, visible) {
  $(id).hidden = !visible;
}

function signOut() {
  state.token = null;
  sessionStorage.removeItem("sds.token");
  state.socket?.close();
  show("#sign-in", true);
  show("#projects", false);
  show("#workflow", false);
  show("#sign-out", false);
  $("#who").textContent = "";
}

async function signedIn() {
  const me = await api("GET", "/api/v1/auth/me");
  $("#who").textContent = `${me.email} · ${me.subscription_tier} · ${me.quota_remaining} credits`;
  show("#sign-out", true);
  show("#sign-in", false);
  show("#projects", true);
  await listProjects();
}

async function listProjects() {
  const page = await api("GET", "/api/v1/projects?limit=50");
  const list = $("#project-list");
  list.replaceChildren(
    ...page.items.map((p) => {
      const li = document.createElement("li");
      const b = document.createElement("button");
      b.textContent = `${p.name} · ${p.status}`;
      b.dataset.projectId = p.id;
      b.addEventListener("click", () => openProject(p));
      li.append(b);
      return li;
    }),
  );
}

async function openProject(p) {
  state.project = p;
  $("#project-title").textContent = p.name;
  show("#workflow", true);
  const wfs = await api("GET", `/api/v1/workflows?project_id=${p.id}`);
  $("#workflow-list").replaceChildren(
    ...wfs.items.map((w) => {
      const o = document.createElement("option");
      o.value = w.id;
      o.textContent = `#${w.id} ${w.workflow_type} · ${w.status}`;
      return o;
    }),
  );
  await renderStoryboards();
}

function renderSteps(steps) {
  $("#steps").replaceChildren(
    ...steps.map((s) => {
      const li = document.createElement("li");
      li.dataset.step = s.name;
      li.dataset.status = s.status;
      const name = document.createElement("span");
      name.textContent = STEP_NAMES[s.name] ?? s.name;
      const bar = document.createElement("progress");
      bar.max = 1;
      bar.value = s.status === "completed" ? 1 : s.items?.total ? s.items.completed / s.items.total : 0;
      const st = document.createElement("span");
      st.className = "state";
      st.textContent = s.status;
      li.append(name, bar, st);
      return li;
    }),
  );
}

function updateStep(name, patch) {
  const li = document.querySelector(`#steps li[data-step="${name}"]`);
  if (!li) return;
  if (patch.status) {
    li.dataset.status = patch.status;
    li.querySelector(".state").textContent = patch.status;
  }
  if (patch.fraction !== undefined) li.querySelector("progress").value = patch.fraction;
}

async function renderStoryboards() {
  if (!state.project) return;
  const boards = await api("GET", `/api/v1/storyboards?project_id=${state.project.id}`);
  $("#storyboards").replaceChildren(
    ...boards.items.map((b) => {
      const fig = document.createElement("figure");
      fig.dataset.storyboardId = b.id;
      const img = document.createElement("img");
      img.alt = b.description;
      if (b.image_url) img.src = b.image_url;
      const cap = document.createElement("figcaption");
      cap.textContent = `${b.scene_number ?? ""} ${b.description}`.trim();
      fig.append(img, cap);
      return fig;
    }),
  );
}

async function showVideo() {
  const history = await api("GET", "/api/v1/export/history?limit=20");
  const mine = history.items.find((e) => e.project_id === state.project?.id && e.status === "completed");
  if (!mine) return;
  const exp = await api("GET", `/api/v1/export/${mine.export_id}`);
  const video = $("#video");
  if (exp.poster_url) video.poster = exp.poster_url;
  if (exp.vtt_url) $("#captions").src = exp.vtt_url;
  video.src = exp.video_url;
  video.hidden = false;
  $("#video-none").hidden = true;
}

function applyFrame(f) {
  if (f.type !== "snapshot") {
    if (f.seq <= state.lastSeq) return;
    state.lastSeq = f.seq;
  } else if (typeof f.seq === "number") {
    state.lastSeq = Math.max(state.lastSeq, f.seq);
  }
  $("#wf-status").textContent = f.status;
  $("#wf-message").textContent = f.message ?? f.type;
  $("#wf-progress").value = f.progress ?? 0;
  if (f.type === "snapshot") {
    renderSteps(f.workflow?.steps ?? []);
    renderStoryboards();
    if (f.status === "completed") showVideo();
    return;
  }
  if (f.type === "step_started") updateStep(f.step, { status: "running" });
  if (f.type === "step_completed") updateStep(f.step, { status: "completed", fraction: 1 });
  if (f.type === "step_failed") updateStep(f.step, { status: "failed" });
  if (f.step && f.items?.total) updateStep(f.step, { fraction: f.items.completed / f.items.total });
  if (f.type === "export_progress") updateStep("video_rendering", { fraction: f.export_progress });
  if (f.step === "storyboard_generation" || f.step === "character_generation") renderStoryboards();
  if (f.type === "workflow_completed") {
    renderStoryboards();
    showVideo();
  }
}

function watch(id) {
  state.socket?.close();
  state.workflowId = id;
  state.lastSeq = -1;
  show("#live", true);
  $("#video").hidden = true;
  $("#video-none").hidden = false;
  let attempts = 0;
  const connect = () => {
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    const q = new URLSearchParams({ token: state.token });
    if (state.lastSeq >= 0) q.set("last_seq", String(state.lastSeq));
    const ws = new WebSocket(`${proto}//${location.host}/ws/progress/${id}?${q}`);
    state.socket = ws;
    ws.onopen = () => {
      attempts = 0;
      $("#connection").textContent = "● live";
    };
    ws.onmessage = (e) => {
      if (typeof e.data === "string" && e.data.startsWith("{")) applyFrame(JSON.parse(e.data));
    };
    ws.onclose = (e) => {
      $("#connection").textContent = "○";
      if (
        state.socket !== ws ||
        e.code >= 4400 ||
        ["completed", "failed", "cancelled"].includes($("#wf-status").textContent)
      )
        return;
      setTimeout(connect, Math.min(10_000, 500 * 2 ** attempts++));
    };
  };
  connect();
}

$("#sign-in-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const form = new FormData(e.target);
  const email = form.get("email");
  const password = form.get("password");
  $("#sign-in-error").textContent = "";
  try {
    if (form.get("register"))
      await api("POST", "/api/v1/auth/register", { email, password, username: email.split("@")[0] });
    const login = await api("POST", "/api/v1/auth/login", { email, password });
    state.token = login.access_token;
    sessionStorage.setItem("sds.token", state.token);
    await signedIn();
  } catch (err) {
    $("#sign-in-error").textContent = err.message;
  }
});

$("#new-project").addEventListener("submit", async (e) => {
  e.preventDefault();
  const form = new FormData(e.target);
  const p = await api("POST", "/api/v1/projects", {
    name: form.get("name"),
    script: form.get("script"),
    aspect_ratio: "9:16",
  });
  await listProjects();
  await openProject(p);
});

$("#start-workflow").addEventListener("click", async () => {
  const wf = await api("POST", "/api/v1/workflows", {
    project_id: state.project.id,
    workflow_type: "full_production",
    options: { resolution: "720p" },
  });
  await openProject(state.project);
  $("#workflow-list").value = String(wf.id);
  watch(wf.id);
});

$("#open-workflow").addEventListener("click", () => {
  const id = $("#workflow-list").value;
  if (id) watch(Number(id));
});

$("#sign-out").addEventListener("click", async () => {
  await api("POST", "/api/v1/auth/logout", {}).catch(() => undefined);
  signOut();
});

if (state.token) signedIn().catch(() => signOut());
