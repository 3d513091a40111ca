"""The Python SDK's documented example (sdk/python/README.md), as written, against the running Worker."""
import json
import subprocess

import httpx

from short_drama_sdk import Client
from short_drama_sdk.models import Character, Export, ProgressFrame, Project, WorkflowSummary

SCRIPT = """场景1：公园 清晨
小明在湖边散步。
小明：今天天气真好。

场景2：咖啡馆 午后
小红在看书。
小红：你来了！"""


def test_the_seeds_python_example_runs_as_written(api_url, account, png, tmp_path):
    client = Client(api_key=account.http.token, base_url=api_url)

    # 创建项目 (with a script, so full_production has scenes to parse)
    project = client.projects.create(name="我的短剧", description="一个有趣的故事")
    assert isinstance(project, Project) and project.name == "我的短剧"
    client.projects.update(project.id, script=SCRIPT)

    # 上传角色
    character = client.characters.create(project_id=project.id, name="主角", image_path=str(png))
    assert isinstance(character, Character)
    assert character.name == "主角" and character.image_url

    # 启动工作流
    workflow = client.workflows.start(project_id=project.id, workflow_type="full_production")
    assert isinstance(workflow, WorkflowSummary)

    # 监控进度
    seen = []
    for update in client.workflows.watch(workflow.id):
        assert isinstance(update, ProgressFrame)
        print(f"Progress: {update.progress * 100}%")
        seen.append(update)
    assert seen[0].type == "snapshot"
    assert seen[-1].type == "workflow_completed" and seen[-1].progress == 1
    numbered = [f.seq for f in seen if f.type != "snapshot"]
    assert numbered == sorted(set(numbered))
    assert [f.step for f in seen if f.type == "step_completed"] == [
        "script_parsing", "character_generation", "storyboard_generation", "video_rendering",
    ]

    # 导出视频
    export = client.export.create(project_id=project.id, resolution="1080p")
    assert export.status == "processing" and export.estimated_cost > 0
    done = client.export.wait(export.export_id, interval=0.5, timeout=240)
    assert isinstance(done, Export)
    assert done.status == "completed" and done.resolution == "1080p"

    # The video is real: downloaded through its signed URL and probed.
    path = tmp_path / "export.mp4"
    path.write_bytes(httpx.get(done.video_url).content)
    probe = json.loads(subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)],
        check=True, capture_output=True, text=True,
    ).stdout)
    video = next(s for s in probe["streams"] if s["codec_type"] == "video")
    assert (video["width"], video["height"]) == (1080, 1920)
    assert any(s["codec_type"] == "audio" for s in probe["streams"])
    assert abs(float(probe["format"]["duration"]) - done.duration) < 0.25

    history = client.export.history()
    assert history.total == 2  # the workflow's own 720p export and this one
    assert client.subscriptions.me().quota_used > 0
    assert client.billing.usage().usage.video_exports == 2
