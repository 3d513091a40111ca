import type { JobState } from "./queue/types";

/** Prometheus text for `/metrics`: jobs by state (from the queue), render time and speed. */
export class Metrics {
  private finished = { completed: 0, failed: 0, cancelled: 0 };
  private renderSeconds = 0;
  private videoSeconds = 0;
  private lastXRealtime = 0;
  private frames = 0;
  private lines = 0;

  jobFinished(outcome: "completed" | "failed" | "cancelled") {
    this.finished[outcome]++;
  }

  rendered(renderSeconds: number, videoSeconds: number, xRealtime: number) {
    this.renderSeconds += renderSeconds;
    this.videoSeconds += videoSeconds;
    this.lastXRealtime = xRealtime;
  }

  frameDrawn() {
    this.frames++;
  }

  lineSpoken() {
    this.lines++;
  }

  render(counts: Record<JobState, number>): string {
    const lines = [
      "# HELP sds_render_jobs Render jobs in the queue, by state.",
      "# TYPE sds_render_jobs gauge",
      ...Object.entries(counts).map(([state, n]) => `sds_render_jobs{state="${state}"} ${n}`),
      "# HELP sds_render_jobs_finished_total Render jobs this process finished, by outcome.",
      "# TYPE sds_render_jobs_finished_total counter",
      ...Object.entries(this.finished).map(
        ([outcome, n]) => `sds_render_jobs_finished_total{outcome="${outcome}"} ${n}`,
      ),
      "# HELP sds_render_seconds_total Wall seconds spent rendering videos.",
      "# TYPE sds_render_seconds_total counter",
      `sds_render_seconds_total ${this.renderSeconds.toFixed(3)}`,
      "# HELP sds_render_video_seconds_total Seconds of video produced.",
      "# TYPE sds_render_video_seconds_total counter",
      `sds_render_video_seconds_total ${this.videoSeconds.toFixed(3)}`,
      "# HELP sds_render_x_realtime Video seconds per wall second of the last render (whole job).",
      "# TYPE sds_render_x_realtime gauge",
      `sds_render_x_realtime ${this.lastXRealtime}`,
      "# HELP sds_frames_total Card frames drawn by /v1/frames.",
      "# TYPE sds_frames_total counter",
      `sds_frames_total ${this.frames}`,
      "# HELP sds_speech_lines_total Lines synthesised by /v1/speech.",
      "# TYPE sds_speech_lines_total counter",
      `sds_speech_lines_total ${this.lines}`,
    ];
    return `${lines.join("\n")}\n`;
  }
}
