"""Text of the phase timer (段階のタイマー), the projector's larger-text toggle and the
accessible names of controls that show no label of their own (issue 16)."""

# --- phase timer -----------------------------------------------------------------------------
TIMER_MINUTES = "時間（分）"
TIMER_START = "タイマー開始"
TIMER_STOP = "タイマーを止める"
TIMER_LEFT_BIG = "のこり {minutes}:{seconds:02d}"
TIMER_LEFT_SMALL = "この段階の のこり時間：約 {minutes} 分"
TIMER_LEFT_SMALL_UNDER_A_MINUTE = "この段階の のこり時間：1 分未満"
TIMER_OVER = "時間になりました"
TIMER_OVER_SMALL = "この段階の予定の時間になりました"
TIMER_STARTED = "タイマーを {minutes} 分で始めました。時間になっても段階は変わりません。"
TIMER_STOPPED = "タイマーを止めました。"
TIMER_BAD_MINUTES = "タイマーの時間は 1〜{max} 分の整数で入れてください。"
TIMER_NOT_NOW = "終了した会議ではタイマーを使えません。"

# --- projector -----------------------------------------------------------------------------------
TEXT_SIZE_LARGER = "文字を大きく"
TEXT_SIZE_NORMAL = "文字を元の大きさに"

# --- accessible names (aria-label / title) of sliders ------------------------------------------------
ARIA_SERIOUSNESS = "深刻さ（1〜5）"
ARIA_REACH = "広がり（1〜5）"
ARIA_ITEM_POINTS = "{label} の点数"
ARIA_SPOKEN_SERIOUSNESS = "話された困りごとの深刻さ"
ARIA_SPOKEN_REACH = "話された困りごとの広がり"
VOTE_COUNT = "{count} 点"
