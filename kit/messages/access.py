"""Text about who may do what: keyed pages, sessions, kernels, members' devices, join codes."""

# --- keyed pages at the HTTP layer (a page that is refused starts no kernel) ------------------
GUARD_PAGE = (
    '<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<title>{title}</title><style>body{{font-family:sans-serif;font-size:22px;line-height:1.7;"
    "margin:2em auto;max-width:40em;padding:0 1em;color:#222}}h1{{font-size:1.5em}}</style>"
    '</head><body class="tk-guard"><h1 class="tk-guard-title">{title}</h1>'
    '<p class="tk-guard-body">{body}</p></body></html>'
)
GUARD_NOT_FROM_HERE_TITLE = "このページはこのパソコンでだけ開けます"
GUARD_NOT_FROM_HERE_BODY = (
    "進行役・支え合いマップ・事務局のページは、会議を動かしているパソコンでだけ開けます。"
    "タブレットの方は、前のスクリーンの QR コードから参加用のページを開いてください。"
)
GUARD_KEY_TITLE = "進行役の鍵が必要です"
GUARD_KEY_BODY = (
    "このページを開くには進行役の鍵が必要です。会議を動かしているパソコンで"
    "「tasukeai serve」を起動すると、このパソコンのブラウザーで進行役のページが開きます。"
)
GUARD_FULL_TITLE = "ただいま混み合っています"
GUARD_FULL_BODY = (
    "参加者のページを開いている台数が上限に達しました。少し待ってから、"
    "もう一度このページを開いてください。続くときは進行役にお知らせください。"
)
GUARD_DEVICE_FULL_BODY = (
    "この端末から開いているページが多すぎます。ほかのタブを閉じてから、"
    "もう一度このページを開いてください。"
)
GUARD_FORBIDDEN = "このページからは操作できません。"

# --- terminal -------------------------------------------------------------------------------
SERVE_FACILITATOR_OPENED = (
    "進行役のページをこのパソコンのブラウザーで開きました（鍵は表示しません）。"
)
SERVE_FACILITATOR_LOCAL = (
    "進行役のページ（このパソコンだけで開けます。一度だけ使えるリンク）: {url}"
)
SERVE_FACILITATOR_PLAIN = "進行役のページ（このパソコン・プロジェクター用）: {url}"
SERVE_KEY_HINT = (
    "鍵を表示するには「tasukeai serve --show-key」、鍵を作り直すには「tasukeai key --rotate」。"
)
SERVE_KEY_SHOWN = "進行役の鍵（人に見せないでください）: {key}"
KEY_ROTATED = (
    "新しい進行役の鍵を作りました。古い鍵と、開いていた進行役のページはもう使えません。\n"
    "新しい鍵（人に見せないでください）: {key}\n"
    "このパソコンで開く URL: {url}"
)
KEY_LINK = "進行役のページ（このパソコンだけで開けます。一度だけ使えるリンク）: {url}"
KEY_NOTHING = (
    "「--rotate」（鍵を作り直す）か「--link」（一度だけ使えるリンクを作る）を指定してください。"
)

# --- keyed page in the kernel ---------------------------------------------------------------
SESSION_ENDED_TITLE = "進行役の鍵が作り直されました"
SESSION_ENDED_BODY = (
    "このページは使えなくなりました。会議を動かしているパソコンで開き直してください。"
)

# --- join codes -------------------------------------------------------------------------------
JOIN_CODE_WAIT = (
    "参加コードの間違いが続いたため、しばらく受け付けません。"
    "{seconds} 秒ほど待ってから、前のスクリーンのコードをもう一度お確かめください。"
)

# --- members and devices ---------------------------------------------------------------------
PAGE_ALREADY_JOINED = "この画面ではもう参加しています。別の方は、ご自分の端末から参加してください。"
DEVICE_ALREADY_MEMBER = (
    "この端末は「{name}」さんとして参加しています。別の方は、ご自分の端末から参加してください。"
)
NAME_IS_PAPER = (
    "「{name}」さんは紙で参加しています。ご本人なら、進行役にお知らせください"
    "（紙の投票は進行役が入力します）。"
)
JOIN_WAIT_APPROVAL = (
    "「{name}」さんは別の端末で参加しています。進行役が前のスクリーンで確認します。"
    "しばらくお待ちください。"
)
JOIN_APPROVED = "進行役が確認しました。「{name}」さんとして参加します。"
JOIN_DENIED = (
    "進行役が確認できませんでした。ご自分のお名前（呼び名）で参加してください。"
    "同じお名前の方がいるときは、名字を足すなどしてください。"
)
NEEDS_RELOAD = "ページを読み込み直してから、もう一度参加してください。"
MEMBER_REMOVED = (
    "進行役が、この端末を参加者の一覧から外しました。参加するときは、もう一度入力してください。"
)
CLAIM_NOT_FOUND = "この確認はもう終わっています。"
CLAIM_DEVICE_TAKEN = "その端末は、すでに別の方として参加しています。"
CLAIM_QUESTION = "<p><b>「{name}」さん</b>として参加しようとしています。同じ方ですか？</p>"
CLAIM_APPROVE = "はい、同じ方です"
CLAIM_DENY = "いいえ、違います"
CLAIM_APPROVED = "「{name}」さんの端末を追加しました。"
CLAIM_DENIED = "参加をお断りしました。"
NEW_MEMBERS = '<p class="tk-new-members-line">新しく参加：{names}</p>'
NEW_MEMBER_ITEM = "{name}さん（{time}）"
REMOVE_SECTION = "参加者を外す"
REMOVE_CHOICE = "参加者"
REMOVE_BUTTON = "この方を外す…"
REMOVE_CONFIRM = "外す"
REMOVE_CANCEL = "やめる"
REMOVE_PREVIEW = (
    "「{name}」さんを参加者から外します。投票 {ballots} 件が消え、投票率からも外れます"
    "（端末 {devices} 台。送った困りごと {issues} 件は残ります）。よろしいですか？"
)
REMOVE_DONE = "「{name}」さんを外しました（投票 {ballots} 件を消しました）。"
REMOVE_NONE = "外す方を選んでください。"
VOTE_PAPER_BALLOT_LOCKED = (
    "この方の投票は紙で受け付けています。変えるときは進行役にお知らせください。"
)
