"""Text shared by every page: app name, phases, errors of the store, access, serving."""

APP_NAME = "たすけあい会議キット"
APP_SUBTITLE = "地区社協の話し合いを、紙とパソコンとタブレットで"

# --- meeting phases (会議の段階) ---------------------------------------------------------
PHASE_LABELS = {
    "setup": "準備",
    "issues": "地域の困りごと出し",
    "map": "支え合いマップ",
    "vote": "優先順位の投票",
    "wrapup": "まとめ",
    "closed": "終了",
}
PHASE_MEMBER_HINTS = {
    "setup": "まもなく始まります。しばらくお待ちください。",
    "issues": "地域で気になっている困りごとを送ってください。",
    "map": "いまは支え合いマップづくりの時間です。前のスクリーンをご覧ください。",
    "vote": "大事だと思う困りごとに投票してください。",
    "wrapup": "まとめの時間です。前のスクリーンをご覧ください。",
    "closed": "本日の会議は終了しました。ありがとうございました。",
}

# --- charts (the projector's and the office's) ----------------------------------------------
CHART_LOADING = "グラフを読み込み中…"
CHART_DRAW_FAILED = "グラフを描けませんでした。ページを読み込み直してください。"

# --- store ---------------------------------------------------------------------------------
DB_DAMAGED = (
    "データベースファイル（{path}）を開けませんでした。ファイルが壊れている可能性があります。"
)
DB_TOO_NEW = (
    "このデータベースは新しい版のキットで作られています。"
    "キットを更新してから開いてください（データは変更していません）。"
)

# --- meetings and members -------------------------------------------------------------------
DISTRICT_NOT_FOUND = "地区が見つかりません。"
MEETING_NOT_FOUND = "会議が見つかりません。"
MEMBER_NOT_FOUND = "参加者が見つかりません。もう一度参加してください。"
ID_NOT_FOUND = "見つかりません。画面を読み込み直してください。"
MEETING_TITLE_EMPTY = "会議名を入力してください。"
MEETING_TITLE_TOO_LONG = "会議名は{limit}文字までにしてください。"
AGENDA_TOO_LONG = "次第は{limit}文字までにしてください。"
MEETING_DATE_INVALID = "開催日は 2026-11-26 のような形で入力してください。"
JOIN_CODE_EMPTY = "参加コードを入力してください。"
JOIN_CODE_WRONG = "参加コードが違います。前のスクリーンに出ているコードをご確認ください。"
JOIN_CODE_CLOSED = "この会議はすでに終了しています。"
NAME_EMPTY = "お名前（呼び名）を入力してください。"
NAME_TOO_LONG = "お名前は{limit}文字までにしてください。"
TEXT_CONTROL_CHARS = "使えない文字（制御文字）が含まれています。"
PHASE_UNKNOWN = "会議の段階の指定が正しくありません。"
PHASE_NO_FURTHER = "これ以上進める（戻る）段階はありません。"

# --- access --------------------------------------------------------------------------------
KEY_REQUIRED_TITLE = "進行役の鍵が必要です"
KEY_REQUIRED_BODY = (
    "このページは進行役・事務局のためのページです。タブレットの方は参加用のページを開いてください。"
)
KEY_WRONG = "鍵が違います。"
PAGE_OPENING = "開いています…"
"""A keyed page built ahead, in the moment before its kernel has checked who opened it."""

# --- pages ---------------------------------------------------------------------------------
MEMBER_PAGE_TITLE = "参加者のページ"
FACILITATOR_PAGE_TITLE = "進行役のページ"
MAP_PAGE_TITLE = "支え合いマップ（進行役）"
OFFICE_PAGE_TITLE = "事務局のページ（全地区の集計）"
NO_MEETING_YET = "まだ会議がありません。進行役のページで会議を作ってください。"
UNEXPECTED_ERROR = (
    "思いがけないエラーが起きました。もう一度お試しください。続く場合は進行役にお知らせください。"
)

# --- serve (terminal) ------------------------------------------------------------------------
SERVE_BANNER = "たすけあい会議キットを起動しました。"
SERVE_FACILITATOR_URL = "進行役のページ（このパソコン・プロジェクター用）: {url}"
SERVE_MEMBER_URL = "参加者のページ（タブレット用）: {url}"
SERVE_OFFICE_URL = "事務局のページ: {url}"
SERVE_MAP_URL = "支え合いマップ: {url}"
SERVE_QR_HINT = "タブレットのカメラで下の QR コードを読み取ってください。"
SERVE_STOP_HINT = "止めるときは Ctrl+C を押してください。"

# --- member page: joining ----------------------------------------------------------------------
JOIN_TITLE = "会議に参加する"
JOIN_CODE_LABEL = "① 前のスクリーンに出ている「参加コード」（数字）"
JOIN_CODE_PLACEHOLDER = "例：4827"
JOIN_NAME_LABEL = "② あなたのお名前（呼び名でかまいません）"
JOIN_NAME_PLACEHOLDER = "例：さくら"
JOIN_BUTTON = "参加する"
MEMBER_STATUS = "<p>{name} さん／{meeting}</p>"

# --- facilitator page ----------------------------------------------------------------------------
PHASE_BACK = "◀ 前の段階へ"
PHASE_NEXT = "次の段階へ ▶"
MEETING_HEADER = "<h2>{district}　{title}</h2><p>{date}</p>"
JOIN_INFO = (
    '<div class="tk-join-box"><div class="tk-join-code-big">参加コード <b>{code}</b></div>'
    '<div class="tk-join-url">{url}</div><div class="tk-qr">{qr}</div></div>'
)
MEMBERS_JOINED = '<p class="tk-members-line">参加者 <b>{count}</b> 人：{names}</p>'
NO_MEMBERS_YET = "まだいません"
SETUP_SECTION = "会議の準備（新しい会議を始める・続ける）"
SETUP_DISTRICT = "地区"
SETUP_TITLE = "会議名"
SETUP_TITLE_PLACEHOLDER = "例：第3回 地区社協の話し合い"
SETUP_DATE = "開催日"
SETUP_AGENDA = "次第"
SETUP_CREATE = "この内容で会議を始める"
SETUP_EXISTING = "続きの会議"
SETUP_OPEN = "この会議を開く"
SETUP_AGENDA_VIEW = '<div class="tk-agenda"><h2>きょうの次第</h2><ul>{items}</ul></div>'
SETUP_CREATED = "会議を作りました。参加コードは {code} です。"
SAMPLE_WRITTEN = "サンプルデータを書き出しました: {path}"
DEMO_BUILT = "デモ用のデータベースを作りました: {path}"
