"""Text for local issues (地域の困りごと): the tablet form, the projector board, errors."""

# --- errors (kit/issues.py) -----------------------------------------------------------------------
ISSUE_TEXT_EMPTY = "困りごとの内容を書いてください。"
ISSUE_TEXT_TOO_LONG = "困りごとは{limit}文字までにしてください。短くまとめてお送りください。"
ISSUE_PLACE_TOO_LONG = "場所のメモは{limit}文字までにしてください。"
ISSUE_GOAL_MISSING = "どの話題に近いかを、一つ選んでください。"
ISSUE_GOAL_UNKNOWN = (
    "選ばれた話題（重点目標「{goal}」）は、この計画にありません。選び直してください。"
)
ISSUE_SCALE_INVALID = "{what}は 1 から 5 までの数で選んでください。"
ISSUE_SERIOUSNESS = "深刻さ"
ISSUE_REACH = "影響を受ける人の多さ"
ISSUE_NOT_FOUND = "その困りごとは見つかりません。画面を最新にしてください。"
ISSUE_NOT_YOURS = "ほかの方が送った困りごとは、直したり取り下げたりできません。"
ISSUE_MEMBER_ELSEWHERE = "この会議の参加者ではありません。もう一度参加してください。"
ISSUE_PHASE_OVER = "困りごとを送ったり直したりする時間は終わりました。"
ISSUE_MEETING_CLOSED = "この会議はすでに終了しています。困りごとは変えられません。"
ISSUE_CONFLICT = (
    "この困りごとは、ほかの端末か進行役が先に直しました。"
    "いまの内容：「{text}」。あなたの内容で上書きするなら、もう一度押してください。"
)
ISSUE_CONFLICT_SHORT = (
    "この困りごとは、ほかの端末か進行役が先に変えました。画面を最新にして、もう一度お試しください。"
)
ISSUE_NOW_MERGED = "この困りごとは、進行役がほかの困りごとにまとめました。"
ISSUE_NOW_WITHDRAWN = "この困りごとは、すでに取り下げられています。"
ISSUE_NOW_HIDDEN = "この困りごとは、進行役がいったん非表示にしました。"
ISSUE_MERGE_SAME = "同じ困りごとどうしは、まとめられません。別々の二つを選んでください。"
ISSUE_MERGE_OTHER_MEETING = "別の会議の困りごととは、まとめられません。"
ISSUE_MERGE_NOT_OPEN = "取り下げられた、またはすでにまとめられた困りごとは、まとめられません。"
ISSUE_NOT_HIDDEN = "この困りごとは非表示になっていません。"
ISSUE_ALREADY_HIDDEN = "この困りごとは、すでに非表示です。"
ISSUE_CHOOSE_FIRST = "先に困りごとを選んでください。"

# --- word labels for the two sliders (1–5) --------------------------------------------------------
ISSUE_SERIOUSNESS_WORDS = {
    1: "少し気になる",
    2: "気になる",
    3: "困っている",
    4: "とても困っている",
    5: "すぐに何とかしたい",
}
ISSUE_REACH_WORDS = {
    1: "ごく一部の人",
    2: "何人か",
    3: "ご近所の多く",
    4: "地区のかなりの人",
    5: "地区のほとんどの人",
}

# --- tablet form (kit/ui/member_issues.py) -----------------------------------------------------------
ISSUE_TAB_WRITE = "困りごとを書く"
ISSUE_TAB_MINE = "送った困りごと（{count}件）"
ISSUE_TEXT_LABEL = "① どんなことに困っていますか？"
ISSUE_TEXT_PLACEHOLDER = "例：バス停までの坂道がきつく、買い物に行けない人がいる"
ISSUE_COUNTER = "{count} / {limit} 文字"
ISSUE_COUNTER_OVER = "{count} / {limit} 文字（{over}文字多すぎます）"
ISSUE_GOAL_LABEL = "② いちばん近い話題を一つ選んでください"
ISSUE_SERIOUSNESS_LABEL = "③ どのくらい深刻ですか？"
ISSUE_REACH_LABEL = "④ 困っている人はどのくらいいますか？"
ISSUE_PLACE_LABEL = "⑤ 場所（書かなくてもかまいません）"
ISSUE_PLACE_PLACEHOLDER = "例：さくら公園の東側"
ISSUE_SEND = "この内容で送る"
ISSUE_SAVE_EDIT = "直して送る"
ISSUE_CANCEL_EDIT = "直すのをやめる"
ISSUE_SENT = "送りました。ありがとうございます。続けて送ることもできます。"
ISSUE_SAVED = "直しました。"
ISSUE_WITHDRAWN = "取り下げました。"
ISSUE_EDITING = "送った困りごとを直しています。"
ISSUE_MINE_EMPTY = "まだ送っていません。"
ISSUE_EDIT = "直す"
ISSUE_WITHDRAW = "取り下げる"
ISSUE_WITHDRAW_CONFIRM = "はい、取り下げます"
ISSUE_WITHDRAW_CANCEL = "やめる"
ISSUE_WITHDRAW_QUESTION = "この困りごとを取り下げますか？"
ISSUE_STATUS = {
    "open": "スクリーンに出ています",
    "hidden": "進行役が非表示にしました",
    "merged": "似た困りごとと一つにまとめられました",
    "withdrawn": "取り下げました",
}
ISSUE_MINE_GOAL = "話題：{goal}　深刻さ：{seriousness}　人の多さ：{reach}"
ISSUE_MINE_PLACE = "場所：{place}"

# --- projector board (kit/ui/board.py, kit/charts/issues.py) -------------------------------------------
ISSUE_BOARD_TITLE = "地域の困りごと"
ISSUE_BOARD_TOTAL = "困りごと <b>{cards}</b> 件（出した人 のべ <b>{count}</b> 人）"
ISSUE_BOARD_EMPTY = "まだ困りごとは届いていません。タブレットから送ってください。"
ISSUE_BOARD_GOAL_COUNT = "のべ{count}人"
ISSUE_BOARD_RAISED = "×{count}"
ISSUE_BOARD_SPOKEN = "口頭"
ISSUE_BOARD_UNRAISED_TITLE = "まだ出ていない重点目標"
ISSUE_BOARD_UNRAISED_NONE = "すべての重点目標に困りごとが出ています。"
ISSUE_BOARD_OTHER_PLAN = "計画にない話題"
ISSUE_CHART_TITLE = "重点目標ごとの困りごと（のべ人数）"
ISSUE_CHART_HOVER = "%{y}<br>%{x} 人<extra></extra>"
ISSUE_BOARD_CONTROLS_OPEN = "進行役の操作を開く"
ISSUE_BOARD_CONTROLS_CLOSE = "進行役の操作を閉じる"
ISSUE_BOARD_PICK = "困りごと"
ISSUE_BOARD_PICK_NONE = "（選んでください）"
ISSUE_BOARD_OPTION = "#{id} {text}"
ISSUE_BOARD_EDIT_TITLE = "言葉を直す"
ISSUE_BOARD_EDIT_TEXT = "内容"
ISSUE_BOARD_EDIT_GOAL = "重点目標"
ISSUE_BOARD_EDIT_SAVE = "直す"
ISSUE_BOARD_EDITED = "#{id} を直しました。"
ISSUE_BOARD_HIDE = "非表示にする"
ISSUE_BOARD_HIDDEN_DONE = "#{id} を非表示にしました。"
ISSUE_BOARD_HIDDEN_TITLE = "非表示の困りごと"
ISSUE_BOARD_UNHIDE = "表示にもどす"
ISSUE_BOARD_UNHIDDEN_DONE = "#{id} を表示にもどしました。"
ISSUE_BOARD_MERGE_TITLE = "似た困りごとを一つにまとめる"
ISSUE_BOARD_MERGE_KEEP = "残す方"
ISSUE_BOARD_MERGE_INTO = "まとめる方"
ISSUE_BOARD_MERGE = "一つにまとめる"
ISSUE_BOARD_MERGED = "#{source} を #{target} にまとめました（のべ {count} 人）。"
ISSUE_BOARD_SPOKEN_TITLE = "口頭で出た困りごとを書き込む"
ISSUE_BOARD_SPOKEN_TEXT = "内容"
ISSUE_BOARD_SPOKEN_MEMBER = "出した人"
ISSUE_BOARD_SPOKEN_NOBODY = "（名前なし）"
ISSUE_BOARD_SPOKEN_NEW_NAME = "または名前"
ISSUE_BOARD_SPOKEN_NEW_NAME_PLACEHOLDER = "タブレットのない方の呼び名（例：たなか）"
ISSUE_BOARD_SPOKEN_ADD = "書き込む"
ISSUE_BOARD_SPOKEN_ADDED = "口頭の困りごと #{id} を書き込みました。"
ISSUE_BOARD_GOAL_OPTION = "{id} {plain}"
