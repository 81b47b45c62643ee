"""Text of the 会議録 (meeting record): the printable page, the button and the command."""

RECORD_TITLE = "{district} 会議録"
RECORD_HINT = (
    "この会議録は A4 の紙に印刷できます（ブラウザーの「印刷」、または Ctrl+P。"
    "PDF にしたいときは印刷先に「PDF に保存」を選んでください）。インターネットは使いません。"
)
RECORD_MEETING = "会議名"
RECORD_DATE = "開催日"
RECORD_PLACE_CITY = "市"
RECORD_ATTENDANCE = "出席"
RECORD_ATTENDANCE_VALUE = "{members} 人（うちタブレット {tablet} 人・紙 {paper} 人）"
RECORD_AGENDA = "次第"
RECORD_AGENDA_NONE = "（次第は入力されていません）"
RECORD_ISSUES = "話し合った困りごと（重点目標ごと）"
RECORD_ISSUES_COUNT = "困りごと {count} 件"
RECORD_ISSUES_NONE = "困りごとは出されませんでした。"
RECORD_ISSUE_HEADERS = ("困りごと", "場所", "深刻さ", "広がり", "挙げた人")
RECORD_VOTES = "優先順位の投票"
RECORD_VOTES_NONE = "投票は行いませんでした。"
RECORD_VOTE_METHOD = "方法：{method}（{rule}）"
RECORD_VOTE_TURNOUT = "投票した人：{ballots} 人／出席 {eligible} 人（うち紙の投票 {paper} 人）"
RECORD_VOTE_OPEN = "この投票はまだ締め切っていません（途中の結果です）。"
RECORD_VOTE_HEADERS = ("順位", "項目", "得点", "入れた人", "重点目標")
RECORD_TIE_MARK = "同点"
RECORD_TIES = "同点：{groups}"
RECORD_TIES_NONE = "同点の項目はありません。"
RECORD_SPREAD_NOTE = "「入れた人」は、その項目に点・賛成・順位を入れた人の数です（支持の広がり）。"
RECORD_RULE_DOTS = "一人 {dots} 点を配る"
RECORD_RULE_CAP = "・一つの項目に {cap} 点まで"
RECORD_RULE_APPROVAL = "賛成するものすべてに一票"
RECORD_RULE_RANKING = "1 位から順に点が多い（ボルダ方式）"
RECORD_ACTIONS = "決めた取組（まとめ）"
RECORD_ACTIONS_NONE = "取組はまだ決めていません。"
RECORD_ACTION_HEADERS = ("取組（何を）", "だれが", "いつまでに", "活動方針")
RECORD_FOLLOW_UP = "前回の取組のふりかえり"
RECORD_FOLLOW_UP_OF = "{held_on}「{title}」で決めた取組（いまの状況）"
RECORD_FOLLOW_UP_COUNTS = "未着手 {not_started}・進行中 {in_progress}・完了 {done}"
RECORD_FOLLOW_UP_NONE = "前回の会議で決めた取組はありません。"
RECORD_FOLLOW_UP_HEADERS = ("取組", "だれが", "いつまでに", "状況")
RECORD_STATUS_LABELS = {"not_started": "未着手", "in_progress": "進行中", "done": "完了"}
RECORD_MAP = "支え合いマップ（数のみ）"
RECORD_MAP_NOTE = (
    "個人の名前・メモ・場所は会議録に載せていません。マップそのものは地区の中だけで扱います。"
)
RECORD_MAP_NONE = "支え合いマップはまだありません。"
RECORD_MADE = "作成 {made}（たすけあい会議キット）"
RECORD_PRIVACY = "この会議録には参加者の名前と、支え合いマップの個人の情報は入っていません。"

# --- the button (まとめ / 終了) and the command ----------------------------------------------------
RECORD_SECTION = "会議録（印刷用）"
RECORD_INTRO = (
    "きょうの会議の会議録を A4 で印刷できるファイル（HTML）に保存します。"
    "委員や自治会に配るためのもので、参加者の名前やマップの個人の情報は入りません。"
)
RECORD_SAVE = "会議録を保存"
RECORD_SAVED = "会議録を保存しました。"
RECORD_SAVED_WHERE = "保存先: {path}"
RECORD_OPEN_LINK = "会議録を開く（ダウンロード）"
RECORD_NO_MEETING = "会議がまだありません。先に進行役のページで会議を始めてください。"
RECORD_MEETING_WRONG = (
    "会議の番号「{given}」が正しくありません（数字か latest を指定してください）。"
)
RECORD_CLI_WROTE = "会議録を書き出しました: {path}"
RECORD_DB_MISSING = (
    "会議データが見つかりません: {path}（--db で会議データのファイルを指定してください）"
)
