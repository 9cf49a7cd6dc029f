from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'report.html.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_lang = resolve('lang')
    l_0_L = resolve('L')
    l_0_r = resolve('r')
    l_0_when = resolve('when')
    l_0_verification = resolve('verification')
    l_0_verification_ok = resolve('verification_ok')
    l_0_banners = resolve('banners')
    l_0_decision = resolve('decision')
    l_0_D = resolve('D')
    l_0_mode_label = resolve('mode_label')
    l_0_out_of_time = resolve('out_of_time')
    l_0_ins = resolve('ins')
    l_0_vulns = resolve('vulns')
    l_0_qrows = resolve('qrows')
    l_0_d = l_0_p = missing
    try:
        t_1 = environment.filters['compact']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'compact' found.")
    try:
        t_2 = environment.filters['join']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'join' found.")
    try:
        t_3 = environment.tests['defined']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No test named 'defined' found.")
    try:
        t_4 = environment.tests['none']
    except KeyError:
        @internalcode
        def t_4(*unused):
            raise TemplateRuntimeError("No test named 'none' found.")
    pass
    yield '<!doctype html>\n<html lang="'
    yield escape(environment.finalize(('zh-CN' if ((undefined(name='lang') if l_0_lang is missing else l_0_lang) == 'zh') else 'en')))
    yield '">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>'
    yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'title')))
    yield ' · '
    yield escape(environment.finalize(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'target'), 'name')))
    yield '</title>\n<style>\nbody{font-family:system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei",sans-serif;margin:2rem auto;max-width:1100px;color:#1d2733;padding:0 1rem}\nh1{font-size:1.6rem}h2{border-bottom:2px solid #e3e8ee;padding-bottom:.3rem;margin-top:2rem}\ntable{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #d5dbe2;padding:.35rem .5rem;text-align:left;vertical-align:top;font-size:.9rem}\nth{background:#f3f5f8}.st{font-weight:600;white-space:nowrap}\n.st-fail{color:#b3261e}.st-pass{color:#1b7f3b}.st-error{color:#8a5a00}.st-manual{color:#5a4ea8}.st-not_applicable{color:#667}\n.sev-critical{background:#b3261e;color:#fff}.sev-high{background:#e8710a;color:#fff}.sev-medium{background:#f5c542}.sev-low{background:#d8e6f3}.sev-info{background:#eee}\n.sev{padding:.05rem .4rem;border-radius:.25rem;font-size:.8rem;white-space:nowrap}\ncode,.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.82rem;word-break:break-all}\n.note{color:#556;font-size:.85rem}details{margin:.2rem 0}\n.banner{background:#fff4e5;border-left:4px solid #e8710a;padding:.5rem .8rem;margin:.4rem 0;font-weight:600}\n.verify{border:2px solid;padding:.2rem .8rem;margin:1rem 0}.verify-ok{border-color:#1b7f3b}.verify-bad{border-color:#b3261e}\n.verify pre{white-space:pre-wrap;font-size:.82rem;margin:.4rem 0}\nh1{margin:.2rem 0 .3rem}.subtitle{color:#556;margin:0 0 .6rem;font-size:.9rem}\n.decision{border:2px solid #1d2733;border-radius:.4rem;padding:.6rem 1rem;margin:.4rem 0 1rem;display:grid;grid-template-columns:repeat(3,minmax(0,1fr));gap:.2rem 1.5rem}\n.decision .wide{grid-column:span 3}.decision .half{grid-column:span 1}\n.decision h2{grid-column:1/-1;margin:0;border:0;padding:0;font-size:1.1rem}\n.decision .rec{grid-column:1/-1;font-size:1.35rem;font-weight:700;margin:.1rem 0}\n.rec-accept{color:#1b7f3b}.rec-conditional{color:#8a5a00}.rec-decline_or_defer{color:#b3261e}\n.decision .rule{grid-column:1/-1;color:#556;font-size:.85rem;margin:0 0 .3rem}\n.decision h3{font-size:.9rem;margin:.35rem 0 .1rem}.decision ul{margin:.1rem 0;padding-left:1.2rem;font-size:.88rem}.decision p{margin:.1rem 0;font-size:.9rem}\n.decision .score{font-size:1.15rem;font-weight:700}\n.kv{width:auto;margin:.2rem 0}.kv th,.kv td{font-size:.78rem;padding:.1rem .35rem}.kv th{font-weight:400;background:#f7f8fa}\ncode.p{background:#f3f5f8;border-radius:.2rem;padding:0 .2rem}\n@page{size:A4;margin:16mm 14mm 18mm;@bottom-center{content:counter(page) " / " counter(pages);font-size:9pt;color:#556}}\n@media print{\nbody{margin:0;max-width:none;padding:0;font-size:10pt}\n.cover{break-after:page}\nh2,h3{break-after:avoid}\ntr,li,.decision,.kv,details,.banner{break-inside:avoid}\nthead{display:table-header-group}\ndetails>summary{list-style:none}details:not([open])>*:not(summary){display:none}\na{color:inherit;text-decoration:none}\n}\n</style>\n</head>\n<body>\n<section class="cover">\n<h1>'
    yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'title')))
    yield '</h1>\n<p class="subtitle">'
    yield escape(environment.finalize(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'target'), 'name')))
    if environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'target'), 'os'):
        pass
        yield ' · '
        yield escape(environment.finalize(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'target'), 'os')))
    yield ' · '
    yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'profile')))
    yield ' '
    yield escape(environment.finalize(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'profile')))
    yield ' · '
    yield escape(environment.finalize(context.call((undefined(name='when') if l_0_when is missing else l_0_when), environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'run'), 'started_at'), (undefined(name='lang') if l_0_lang is missing else l_0_lang))))
    yield '</p>\n'
    if (not t_4((undefined(name='verification') if l_0_verification is missing else l_0_verification))):
        pass
        yield '<section class="verify '
        yield escape(environment.finalize(('verify-ok' if (undefined(name='verification_ok') if l_0_verification_ok is missing else l_0_verification_ok) else 'verify-bad')))
        yield '" id="verification">\n<h2>'
        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'verification')))
        yield '</h2>\n<pre>'
        yield escape(environment.finalize(t_2(context.eval_ctx, (undefined(name='verification') if l_0_verification is missing else l_0_verification), '\n')))
        yield '</pre>\n</section>\n'
    else:
        pass
        yield '<p class="note">'
        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'signed_note')))
        yield '</p>\n'
    for l_1_b in (undefined(name='banners') if l_0_banners is missing else l_0_banners):
        _loop_vars = {}
        pass
        yield '<p class="banner">'
        yield escape(environment.finalize(l_1_b))
        yield '</p>\n'
    l_1_b = missing
    l_0_d = (undefined(name='decision') if l_0_decision is missing else l_0_decision)
    context.vars['d'] = l_0_d
    context.exported_vars.add('d')
    yield '<section class="decision" id="decision">\n<h2>'
    yield escape(environment.finalize(context.call((undefined(name='D') if l_0_D is missing else l_0_D), 'decision')))
    yield '</h2>\n<p class="rec rec-'
    yield escape(environment.finalize(environment.getattr(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'recommendation'), 'value')))
    yield '">'
    yield escape(environment.finalize(context.call(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'recommendation_text'), (undefined(name='lang') if l_0_lang is missing else l_0_lang))))
    yield '</p>\n<p class="rule">'
    yield escape(environment.finalize(context.call(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'rule_text'), (undefined(name='lang') if l_0_lang is missing else l_0_lang))))
    yield '</p>\n<div>\n<h3>'
    yield escape(environment.finalize(context.call((undefined(name='D') if l_0_D is missing else l_0_D), 'score_grade')))
    yield '</h3>\n<p class="score" id="grade">'
    if (not t_4(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'score'))):
        pass
        yield escape(environment.finalize(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'score')))
        yield ' / 100 · '
        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'grade')))
        yield ' '
        yield escape(environment.finalize(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'grade')))
    else:
        pass
        yield escape(environment.finalize(context.call((undefined(name='D') if l_0_D is missing else l_0_D), 'not_scored')))
    yield '</p>\n'
    if environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'cap_reasons'):
        pass
        yield '<p>'
        yield escape(environment.finalize(context.call((undefined(name='D') if l_0_D is missing else l_0_D), 'cap')))
        yield ': '
        l_1_loop = missing
        for l_1_c, l_1_loop in LoopContext(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'cap_reasons'), undefined):
            _loop_vars = {}
            pass
            yield escape(environment.finalize(environment.getitem(l_1_c, (undefined(name='lang') if l_0_lang is missing else l_0_lang))))
            if (not environment.getattr(l_1_loop, 'last')):
                pass
                yield '；'
        l_1_loop = l_1_c = missing
        if (environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'grade_by_score') and (environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'grade_by_score') != environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'grade'))):
            pass
            yield '（'
            yield escape(environment.finalize(context.call((undefined(name='D') if l_0_D is missing else l_0_D), 'grade_by_score')))
            yield ' '
            yield escape(environment.finalize(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'grade_by_score')))
            yield '）'
        yield '</p>'
    yield '<h3>'
    yield escape(environment.finalize(context.call((undefined(name='D') if l_0_D is missing else l_0_D), 'questionnaire')))
    yield '</h3>\n<p>'
    if (not t_4(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'questions'))):
        pass
        yield escape(environment.finalize(context.call((undefined(name='D') if l_0_D is missing else l_0_D), 'answered_of', answered=environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'answered'), questions=environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'questions'))))
    else:
        pass
        yield escape(environment.finalize(context.call((undefined(name='D') if l_0_D is missing else l_0_D), 'no_questionnaire')))
    yield '</p>\n'
    if environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'conditions'):
        pass
        yield '<h3>'
        yield escape(environment.finalize(context.call((undefined(name='D') if l_0_D is missing else l_0_D), 'conditions')))
        yield '</h3>\n<ul>'
        for l_1_c in environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'conditions'):
            _loop_vars = {}
            pass
            yield '<li>'
            yield escape(environment.finalize(environment.getitem(l_1_c, (undefined(name='lang') if l_0_lang is missing else l_0_lang))))
            yield '</li>'
        l_1_c = missing
        yield '</ul>'
    yield '</div>\n<div id="hard-fail-summary">\n<h3 class="st-fail">'
    yield escape(environment.finalize(context.call((undefined(name='D') if l_0_D is missing else l_0_D), 'hf_present')))
    yield '</h3>\n<ul>'
    t_5 = 1
    for l_1_h in environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'hard_fail_present'):
        _loop_vars = {}
        pass
        yield '<li class="hf-present">'
        yield escape(environment.finalize(environment.getitem(l_1_h, (undefined(name='lang') if l_0_lang is missing else l_0_lang))))
        yield '</li>'
        t_5 = 0
    l_1_h = missing
    if t_5:
        pass
        yield '<li>'
        yield escape(environment.finalize(context.call((undefined(name='D') if l_0_D is missing else l_0_D), 'none')))
        yield '</li>'
    yield '</ul>\n'
    if environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'hard_fail_unconfirmed'):
        pass
        yield '<h3 class="st-manual">'
        yield escape(environment.finalize(context.call((undefined(name='D') if l_0_D is missing else l_0_D), 'hf_unconfirmed')))
        yield '</h3>\n<ul>'
        for l_1_h in environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'hard_fail_unconfirmed'):
            _loop_vars = {}
            pass
            yield '<li class="hf-unconfirmed">'
            yield escape(environment.finalize(environment.getitem(l_1_h, (undefined(name='lang') if l_0_lang is missing else l_0_lang))))
            yield '</li>'
        l_1_h = missing
        yield '</ul>'
    if environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'hard_fail_not_covered'):
        pass
        yield '<h3>'
        yield escape(environment.finalize(context.call((undefined(name='D') if l_0_D is missing else l_0_D), 'hf_not_covered')))
        yield '</h3>\n<ul>'
        for l_1_h in environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'hard_fail_not_covered'):
            _loop_vars = {}
            pass
            yield '<li class="hf-not-covered">'
            yield escape(environment.finalize(environment.getitem(l_1_h, (undefined(name='lang') if l_0_lang is missing else l_0_lang))))
            yield '</li>'
        l_1_h = missing
        yield '</ul>'
    yield '</div>\n<div id="open-high-risk">\n<h3>'
    yield escape(environment.finalize(context.call((undefined(name='D') if l_0_D is missing else l_0_D), 'open_high_risk')))
    yield '</h3>\n<ul>'
    t_6 = 1
    for l_1_h in environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'open_high_risk'):
        _loop_vars = {}
        pass
        yield '<li>'
        yield escape(environment.finalize(environment.getitem(l_1_h, (undefined(name='lang') if l_0_lang is missing else l_0_lang))))
        yield '</li>'
        t_6 = 0
    l_1_h = missing
    if t_6:
        pass
        yield '<li>'
        yield escape(environment.finalize(context.call((undefined(name='D') if l_0_D is missing else l_0_D), 'none')))
        yield '</li>'
    yield '</ul>\n</div>\n<div>\n<h3>'
    yield escape(environment.finalize(context.call((undefined(name='D') if l_0_D is missing else l_0_D), 'assessed')))
    yield '</h3>\n<ul>'
    for l_1_a in environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'assessed'):
        _loop_vars = {}
        pass
        yield '<li>'
        yield escape(environment.finalize(environment.getitem(l_1_a, (undefined(name='lang') if l_0_lang is missing else l_0_lang))))
        yield '</li>'
    l_1_a = missing
    yield '</ul>\n</div>\n<div style="grid-column:span 2">\n<h3>'
    yield escape(environment.finalize(context.call((undefined(name='D') if l_0_D is missing else l_0_D), 'not_assessed')))
    yield '</h3>\n<ul>'
    t_7 = 1
    for l_1_a in environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'not_assessed'):
        _loop_vars = {}
        pass
        yield '<li>'
        yield escape(environment.finalize(environment.getitem(l_1_a, (undefined(name='lang') if l_0_lang is missing else l_0_lang))))
        yield '</li>'
        t_7 = 0
    l_1_a = missing
    if t_7:
        pass
        yield '<li>'
        yield escape(environment.finalize(context.call((undefined(name='D') if l_0_D is missing else l_0_D), 'none')))
        yield '</li>'
    yield '</ul>\n</div>\n</section>\n</section>\n\n<table>\n<tr><th>'
    yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'target')))
    yield '</th><td>'
    yield escape(environment.finalize(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'target'), 'name')))
    yield '</td><th>'
    yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'os')))
    yield '</th><td>'
    yield escape(environment.finalize((environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'target'), 'os') or '-')))
    yield '</td></tr>\n<tr><th>'
    yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'profile')))
    yield '</th><td>'
    yield escape(environment.finalize(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'profile')))
    yield '</td><th>'
    yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'assessed_at')))
    yield '</th><td>'
    yield escape(environment.finalize(context.call((undefined(name='when') if l_0_when is missing else l_0_when), environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'run'), 'started_at'), (undefined(name='lang') if l_0_lang is missing else l_0_lang))))
    yield '</td></tr>\n<tr><th>'
    yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'run_as')))
    yield '</th><td>'
    yield escape(environment.finalize(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'run'), 'user')))
    yield ' — '
    yield escape(environment.finalize((environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'privileged') if environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'run'), 'privileged') else environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'unprivileged'))))
    yield '</td><th>'
    yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'report_id')))
    yield '</th><td class="mono">'
    yield escape(environment.finalize(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'report_id')))
    yield '</td></tr>\n</table>\n\n\n<h2>'
    yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'provenance')))
    yield '</h2>\n'
    l_0_p = environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'provenance')
    context.vars['p'] = l_0_p
    context.exported_vars.add('p')
    yield '<table id="provenance">\n<tr><th>'
    yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mode')))
    yield '</th><td>'
    yield escape(environment.finalize((undefined(name='mode_label') if l_0_mode_label is missing else l_0_mode_label)))
    yield '</td><th>'
    yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'run_as')))
    yield '</th><td>'
    yield escape(environment.finalize((environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'privileged') if environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'run'), 'privileged') else environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'unprivileged'))))
    yield '</td></tr>\n<tr><th>'
    yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'catalogue')))
    yield '</th><td class="mono">'
    yield escape(environment.finalize(environment.getattr(environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'catalogue'), 'version')))
    yield ' ('
    yield escape(environment.finalize(environment.getattr(environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'catalogue'), 'digest')[:16]))
    yield '…)</td><th>'
    yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'tool_version')))
    yield '</th><td>'
    yield escape(environment.finalize(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'tool'), 'name')))
    yield ' '
    yield escape(environment.finalize(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'tool'), 'version')))
    yield '</td></tr>\n<tr><th>'
    yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'identifiers')))
    yield '</th><td class="mono" colspan="3">'
    yield escape(environment.finalize((t_2(context.eval_ctx, environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'target'), 'identifiers'), ', ') or environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'none'))))
    yield '</td></tr>\n<tr><th>'
    yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'scope')))
    yield '</th><td colspan="3">'
    yield escape(environment.finalize((t_2(context.eval_ctx, environment.getattr(environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'scope'), 'targets'), ', ') or environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'none'))))
    yield '; '
    yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'ports')))
    yield ': '
    yield escape(environment.finalize((environment.getattr(environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'scope'), 'ports') or environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'default_ports'))))
    yield '</td></tr>\n'
    if environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'questionnaire'):
        pass
        yield '<tr><th>'
        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'questionnaire_ref')))
        yield '</th><td colspan="3">'
        yield escape(environment.finalize(environment.getattr(environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'questionnaire'), 'id')))
        yield '@'
        yield escape(environment.finalize(environment.getattr(environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'questionnaire'), 'version')))
        yield ' — '
        yield escape(environment.finalize((environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'builtin') if environment.getattr(environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'questionnaire'), 'builtin') else environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'not_builtin'))))
        yield ' <span class="mono">sha256 '
        yield escape(environment.finalize(environment.getattr(environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'questionnaire'), 'sha256')))
        yield '</span></td></tr>'
    yield '<tr><th>'
    yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'challenge')))
    yield '</th><td class="mono" colspan="3">'
    yield escape(environment.finalize((environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'challenge') or environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'none'))))
    yield '</td></tr>\n</table>\n'
    if environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'overrides'):
        pass
        yield '<h3>'
        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'overrides')))
        yield '</h3>\n<table><tr><th>'
        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'check')))
        yield '</th><th>'
        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'param')))
        yield '</th><th>'
        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'value')))
        yield '</th><th>'
        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'default')))
        yield '</th><th>'
        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'effect')))
        yield '</th></tr>\n'
        for l_1_o in environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'overrides'):
            _loop_vars = {}
            pass
            yield '<tr><td><code>'
            yield escape(environment.finalize(environment.getattr(l_1_o, 'check_id')))
            yield '</code></td><td><code>'
            yield escape(environment.finalize(environment.getattr(l_1_o, 'param')))
            yield '</code></td><td class="mono">'
            yield escape(environment.finalize(t_1(environment.getattr(l_1_o, 'value'))))
            yield '</td><td class="mono">'
            yield escape(environment.finalize(t_1(environment.getattr(l_1_o, 'default'))))
            yield '</td><td class="'
            yield escape(environment.finalize(('st-fail' if (environment.getattr(l_1_o, 'effect') == 'weakens') else '')))
            yield '">'
            yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), markup_join(('effect_', environment.getattr(l_1_o, 'effect'), )))))
            yield '</td></tr>\n'
        l_1_o = missing
        yield '</table>\n'
    yield '\n<h2>'
    yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'summary')))
    yield '</h2>\n<table>\n<tr>'
    for l_1_k in environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'summary'), 'by_status'):
        _loop_vars = {}
        pass
        yield '<th>'
        yield escape(environment.finalize(context.call(environment.getattr((undefined(name='L') if l_0_L is missing else l_0_L), 'status'), l_1_k, _loop_vars=_loop_vars)))
        yield '</th>'
    l_1_k = missing
    yield '<th>'
    yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'total')))
    yield '</th></tr>\n<tr>'
    for (l_1_k, l_1_v) in context.call(environment.getattr(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'summary'), 'by_status'), 'items')):
        _loop_vars = {}
        pass
        yield '<td>'
        yield escape(environment.finalize(l_1_v))
        yield '</td>'
    l_1_k = l_1_v = missing
    yield '<td>'
    yield escape(environment.finalize(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'summary'), 'total')))
    yield '</td></tr>\n</table>\n<h3>'
    yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'failed_by_severity')))
    yield '</h3>\n<table>\n<tr>'
    for l_1_k in environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'summary'), 'failed_by_severity'):
        _loop_vars = {}
        pass
        yield '<th><span class="sev sev-'
        yield escape(environment.finalize(l_1_k))
        yield '">'
        yield escape(environment.finalize(context.call(environment.getattr((undefined(name='L') if l_0_L is missing else l_0_L), 'severity'), l_1_k, _loop_vars=_loop_vars)))
        yield '</span></th>'
    l_1_k = missing
    yield '</tr>\n<tr>'
    for l_1_v in context.call(environment.getattr(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'summary'), 'failed_by_severity'), 'values')):
        _loop_vars = {}
        pass
        yield '<td>'
        yield escape(environment.finalize(l_1_v))
        yield '</td>'
    l_1_v = missing
    yield '</tr>\n</table>\n<h3>'
    yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'by_layer')))
    yield '</h3>\n<table>\n<tr><th>'
    yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'layer')))
    yield '</th>'
    for l_1_k in environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'summary'), 'by_status'):
        _loop_vars = {}
        pass
        yield '<th>'
        yield escape(environment.finalize(context.call(environment.getattr((undefined(name='L') if l_0_L is missing else l_0_L), 'status'), l_1_k, _loop_vars=_loop_vars)))
        yield '</th>'
    l_1_k = missing
    yield '</tr>\n'
    for (l_1_layer, l_1_counts) in context.call(environment.getattr(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'summary'), 'by_layer'), 'items')):
        _loop_vars = {}
        pass
        yield '<tr><td>'
        yield escape(environment.finalize(context.call(environment.getattr((undefined(name='L') if l_0_L is missing else l_0_L), 'layer'), l_1_layer, _loop_vars=_loop_vars)))
        yield '</td>'
        for l_2_v in context.call(environment.getattr(l_1_counts, 'values'), _loop_vars=_loop_vars):
            _loop_vars = {}
            pass
            yield '<td>'
            yield escape(environment.finalize(l_2_v))
            yield '</td>'
        l_2_v = missing
        yield '</tr>\n'
    l_1_layer = l_1_counts = missing
    yield '</table>\n<h3>'
    yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'high_risk')))
    yield '</h3>\n'
    if environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'summary'), 'open_high_risk'):
        pass
        yield '<ul>'
        l_1_loop = missing
        for l_1_h, l_1_loop in LoopContext(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'summary'), 'open_high_risk'), undefined):
            _loop_vars = {}
            pass
            yield '<li>'
            yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'case')))
            yield ' '
            yield escape(environment.finalize(environment.getattr(l_1_h, 'case')))
            yield ' — <code>'
            yield escape(environment.finalize(environment.getattr(l_1_h, 'check_id')))
            yield '</code>'
            if environment.getattr(l_1_h, 'target'):
                pass
                yield ' ('
                yield escape(environment.finalize(environment.getattr(l_1_h, 'target')))
                yield ')'
            if (environment.getattr(l_1_h, 'state') == 'mitigable'):
                pass
                yield ' — <span class="st-manual">'
                yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'state_mitigable')))
                yield '</span>; '
                yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mitigated_by')))
                yield ': '
                l_2_loop = missing
                for l_2_c, l_2_loop in LoopContext(environment.getattr(l_1_h, 'mitigated_by'), undefined):
                    _loop_vars = {}
                    pass
                    yield '<code>'
                    yield escape(environment.finalize(l_2_c))
                    yield '</code>'
                    if (not environment.getattr(l_2_loop, 'last')):
                        pass
                        yield ', '
                l_2_loop = l_2_c = missing
            yield '</li>'
        l_1_loop = l_1_h = missing
        yield '</ul>\n'
    else:
        pass
        yield '<p>'
        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'none')))
        yield '</p>'
    if environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'summary'), 'high_risk_not_assessed'):
        pass
        yield '<p class="note">'
        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'high_risk_not_assessed')))
        yield ': '
        yield escape(environment.finalize(t_2(context.eval_ctx, environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'summary'), 'high_risk_not_assessed'), ', ')))
        yield '</p>'
    if (undefined(name='out_of_time') if l_0_out_of_time is missing else l_0_out_of_time):
        pass
        yield '<div class="note out-of-time"><p>'
        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'out_of_time')))
        yield ':</p><ul>'
        for l_1_t in (undefined(name='out_of_time') if l_0_out_of_time is missing else l_0_out_of_time):
            _loop_vars = {}
            pass
            yield '<li>'
            yield escape(environment.finalize(environment.getattr(l_1_t, 'endpoint')))
            yield ' (<code>'
            yield escape(environment.finalize(environment.getattr(l_1_t, 'collector')))
            yield '</code>): '
            yield escape(environment.finalize(environment.getattr(l_1_t, 'detail')))
            yield '</li>'
        l_1_t = missing
        yield '</ul></div>'
    yield '\n'
    if environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'underwriting'):
        pass
        l_0_ins = environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'underwriting'), 'insurer')
        context.vars['ins'] = l_0_ins
        context.exported_vars.add('ins')
        yield '<h2>'
        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'underwriting')))
        yield '</h2>\n<p><strong>'
        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'insurer_score')))
        yield ': '
        yield escape(environment.finalize((environment.getattr((undefined(name='ins') if l_0_ins is missing else l_0_ins), 'score') if (not t_4(environment.getattr((undefined(name='ins') if l_0_ins is missing else l_0_ins), 'score'))) else '—')))
        yield ' / 100 · '
        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'grade')))
        yield ' '
        yield escape(environment.finalize((environment.getattr((undefined(name='ins') if l_0_ins is missing else l_0_ins), 'grade') or '—')))
        yield '</strong> —\n'
        if environment.getattr(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'underwriting'), 'hard_fail'), 'binding_blocked'):
            pass
            yield '<span class="st-fail">'
            yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'binding_blocked')))
            yield '</span>'
        elif environment.getattr(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'underwriting'), 'hard_fail'), 'binding_unconfirmed'):
            pass
            yield '<span class="st-manual">'
            yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'binding_unconfirmed')))
            yield '</span>'
        else:
            pass
            yield '<span class="st-pass">'
            yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'binding_clear')))
            yield '</span>'
        yield '</p>\n<h3>'
        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'hard_fail')))
        yield '</h3>\n<table><thead><tr><th>'
        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'hard_fail')))
        yield '</th><th>'
        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'status')))
        yield '</th></tr></thead>\n'
        for l_1_e in environment.getattr(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'underwriting'), 'hard_fail'), 'entries'):
            _loop_vars = {}
            pass
            yield '<tr><td>'
            yield escape(environment.finalize(environment.getitem(environment.getattr(l_1_e, 'label'), (undefined(name='lang') if l_0_lang is missing else l_0_lang))))
            yield '</td><td class="st st-'
            yield escape(environment.finalize(environment.getitem({'open': 'fail', 'clear': 'pass', 'unknown': 'manual', 'mitigable': 'manual'}, environment.getattr(l_1_e, 'state'))))
            yield '">'
            yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), markup_join(('state_', environment.getattr(l_1_e, 'state'), )))))
            yield '</td></tr>'
        l_1_e = missing
        for l_1_n in environment.getattr(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'underwriting'), 'hard_fail'), 'not_covered'):
            _loop_vars = {}
            pass
            yield '<tr><td>'
            yield escape(environment.finalize(environment.getitem(environment.getattr(l_1_n, 'label'), (undefined(name='lang') if l_0_lang is missing else l_0_lang))))
            yield '</td><td class="st st-manual">'
            yield escape(environment.finalize(context.call((undefined(name='D') if l_0_D is missing else l_0_D), 'hf_not_covered', _loop_vars=_loop_vars)))
            yield '</td></tr>'
        l_1_n = missing
        yield '</table>\n<h3>'
        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'vulns')))
        yield '</h3>\n'
        if (undefined(name='vulns') if l_0_vulns is missing else l_0_vulns):
            pass
            yield '<table><thead><tr><th>'
            yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'vulns_where')))
            yield '</th><th>'
            yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'vulns_open')))
            yield '</th><th>'
            yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'vulns_by_severity')))
            yield '</th><th>'
            yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'vulns_kev')))
            yield '</th><th>'
            yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'vulns_kev_exposed')))
            yield '</th><th>'
            yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'vulns_oldest')))
            yield '</th><th>'
            yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'vulns_not_matched')))
            yield '</th></tr></thead>\n'
            for l_1_v in (undefined(name='vulns') if l_0_vulns is missing else l_0_vulns):
                _loop_vars = {}
                pass
                yield '<tr><td>'
                yield escape(environment.finalize(environment.getattr(l_1_v, 'where')))
                yield ' <span class="note">('
                yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), markup_join(('vulns_', environment.getattr(l_1_v, 'kind'), )))))
                yield ')</span></td><td'
                if environment.getattr(l_1_v, 'open'):
                    pass
                    yield ' class="st-fail"'
                yield '>'
                yield escape(environment.finalize(environment.getattr(l_1_v, 'open')))
                yield '</td><td>'
                yield escape(environment.finalize(environment.getattr(environment.getattr(l_1_v, 'by_severity'), 'critical')))
                yield '/'
                yield escape(environment.finalize(environment.getattr(environment.getattr(l_1_v, 'by_severity'), 'high')))
                yield '/'
                yield escape(environment.finalize(environment.getattr(environment.getattr(l_1_v, 'by_severity'), 'medium')))
                yield '/'
                yield escape(environment.finalize(environment.getattr(environment.getattr(l_1_v, 'by_severity'), 'low')))
                yield '/'
                yield escape(environment.finalize(environment.getattr(environment.getattr(l_1_v, 'by_severity'), 'unknown')))
                yield '</td><td'
                if environment.getattr(l_1_v, 'kev'):
                    pass
                    yield ' class="st-fail"'
                yield '>'
                yield escape(environment.finalize(environment.getattr(l_1_v, 'kev')))
                yield '</td><td>'
                yield escape(environment.finalize((environment.getattr(l_1_v, 'kev_exposed') if (not t_4(environment.getattr(l_1_v, 'kev_exposed'))) else '—')))
                yield '</td><td>'
                yield escape(environment.finalize((environment.getattr(l_1_v, 'oldest_fix_age_days') if (not t_4(environment.getattr(l_1_v, 'oldest_fix_age_days'))) else '—')))
                yield '</td><td>'
                yield escape(environment.finalize((environment.getattr(l_1_v, 'not_matched') if (not t_4(environment.getattr(l_1_v, 'not_matched'))) else '—')))
                yield '</td></tr>'
            l_1_v = missing
            yield '</table>'
        else:
            pass
            yield '<p class="note">'
            yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'vulns_none')))
            yield '</p>'
        yield '<h3>'
        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'coverage_lines')))
        yield '</h3>\n<table><thead><tr><th></th><th>'
        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'insurer_score')))
        yield '</th><th>'
        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'grade')))
        yield '</th></tr></thead>\n'
        for l_1_c in environment.getattr((undefined(name='ins') if l_0_ins is missing else l_0_ins), 'coverage_lines'):
            _loop_vars = {}
            pass
            yield '<tr><td>'
            yield escape(environment.finalize(environment.getitem(environment.getattr(l_1_c, 'label'), (undefined(name='lang') if l_0_lang is missing else l_0_lang))))
            yield '</td><td>'
            yield escape(environment.finalize((environment.getattr(l_1_c, 'score') if (not t_4(environment.getattr(l_1_c, 'score'))) else environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'not_assessed'))))
            yield '</td><td>'
            yield escape(environment.finalize((environment.getattr(l_1_c, 'grade') or '—')))
            yield '</td></tr>'
        l_1_c = missing
        yield '</table>\n<h3>'
        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'scenarios')))
        yield '</h3>\n<table><thead><tr><th></th><th>'
        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'insurer_score')))
        yield '</th><th>'
        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'grade')))
        yield '</th></tr></thead>\n'
        for l_1_c in environment.getattr((undefined(name='ins') if l_0_ins is missing else l_0_ins), 'scenarios'):
            _loop_vars = {}
            pass
            yield '<tr><td>'
            yield escape(environment.finalize(environment.getitem(environment.getattr(l_1_c, 'label'), (undefined(name='lang') if l_0_lang is missing else l_0_lang))))
            yield '</td><td>'
            yield escape(environment.finalize((environment.getattr(l_1_c, 'score') if (not t_4(environment.getattr(l_1_c, 'score'))) else environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'not_assessed'))))
            yield '</td><td>'
            yield escape(environment.finalize((environment.getattr(l_1_c, 'grade') or '—')))
            yield '</td></tr>'
        l_1_c = missing
        yield '</table>\n<p class="note">'
        yield escape(environment.finalize(environment.getitem(environment.getattr(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'underwriting'), 'mlps'), 'conclusion_note'), (undefined(name='lang') if l_0_lang is missing else l_0_lang))))
        yield '</p>\n'
    yield '\n'
    template = environment.get_template('_mlps.html.j2', 'report.html.j2')
    gen = template.root_render_func(template.new_context(context.get_all(), True, {'d': l_0_d, 'ins': l_0_ins, 'p': l_0_p}))
    try:
        for event in gen:
            yield event
    finally: gen.close()
    if environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'profile_view'):
        pass
        yield '<h2>'
        yield escape(environment.finalize(environment.getitem(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'profile_view'), 'title'), (undefined(name='lang') if l_0_lang is missing else l_0_lang))))
        yield '</h2>\n<table>\n<tr><th>'
        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'check')))
        yield '</th><th>'
        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'status')))
        yield '</th><th>'
        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'severity')))
        yield '</th><th>'
        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'observed')))
        yield '</th></tr>\n'
        for l_1_i in environment.getitem(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'profile_view'), 'items'):
            l_1_observed_rows = resolve('observed_rows')
            _loop_vars = {}
            pass
            yield '<tr><td><code>'
            yield escape(environment.finalize(environment.getattr(l_1_i, 'check_id')))
            yield '</code> '
            yield escape(environment.finalize(environment.getitem(environment.getattr(l_1_i, 'title'), (undefined(name='lang') if l_0_lang is missing else l_0_lang))))
            if environment.getattr(l_1_i, 'target'):
                pass
                yield '<br><span class="note mono">'
                yield escape(environment.finalize(environment.getattr(l_1_i, 'target')))
                yield '</span>'
            yield '</td><td class="st st-'
            yield escape(environment.finalize(environment.getattr(l_1_i, 'status')))
            yield '">'
            yield escape(environment.finalize(context.call(environment.getattr((undefined(name='L') if l_0_L is missing else l_0_L), 'status'), environment.getattr(l_1_i, 'status'), _loop_vars=_loop_vars)))
            yield '</td><td><span class="sev sev-'
            yield escape(environment.finalize(environment.getattr(l_1_i, 'severity')))
            yield '">'
            yield escape(environment.finalize(context.call(environment.getattr((undefined(name='L') if l_0_L is missing else l_0_L), 'severity'), environment.getattr(l_1_i, 'severity'), _loop_vars=_loop_vars)))
            yield '</span></td><td>'
            if environment.getattr(l_1_i, 'observed'):
                pass
                yield '<table class="kv">'
                for (l_2_k, l_2_v) in context.call((undefined(name='observed_rows') if l_1_observed_rows is missing else l_1_observed_rows), environment.getattr(l_1_i, 'observed'), (undefined(name='lang') if l_0_lang is missing else l_0_lang), _loop_vars=_loop_vars):
                    _loop_vars = {}
                    pass
                    yield '<tr><th class="mono">'
                    yield escape(environment.finalize(l_2_k))
                    yield '</th><td class="mono">'
                    yield escape(environment.finalize(l_2_v))
                    yield '</td></tr>'
                l_2_k = l_2_v = missing
                yield '</table>'
            yield '</td></tr>\n'
        l_1_i = l_1_observed_rows = missing
        yield '</table>\n'
    yield '\n'
    if environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'scanner_view'):
        pass
        yield '<h2>'
        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'scanner_view')))
        yield '</h2>\n<p class="note">'
        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'scanner_note')))
        yield '</p>\n'
        for l_1_t in environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'scanner_view'), 'targets'):
            _loop_vars = {}
            pass
            yield '<h3 class="mono">'
            yield escape(environment.finalize(environment.getattr(l_1_t, 'target')))
            yield '</h3>\n'
            if environment.getattr(l_1_t, 'issues'):
                pass
                yield '<ul>'
                for l_2_i in environment.getattr(l_1_t, 'issues'):
                    _loop_vars = {}
                    pass
                    yield '<li><span class="sev sev-'
                    yield escape(environment.finalize(environment.getattr(l_2_i, 'severity')))
                    yield '">'
                    yield escape(environment.finalize(context.call(environment.getattr((undefined(name='L') if l_0_L is missing else l_0_L), 'severity'), environment.getattr(l_2_i, 'severity'), _loop_vars=_loop_vars)))
                    yield '</span> <code>'
                    yield escape(environment.finalize(environment.getattr(l_2_i, 'check_id')))
                    yield '</code> '
                    yield escape(environment.finalize(environment.getitem(environment.getattr(l_2_i, 'title'), (undefined(name='lang') if l_0_lang is missing else l_0_lang))))
                    if environment.getattr(l_2_i, 'high_risk_case'):
                        pass
                        yield ' <span class="note">('
                        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'case')))
                        yield ' '
                        yield escape(environment.finalize(environment.getattr(l_2_i, 'high_risk_case')))
                        yield ')</span>'
                    yield '</li>'
                l_2_i = missing
                yield '</ul>\n'
            else:
                pass
                yield '<p>'
                yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'no_issues')))
                yield '</p>'
            if environment.getattr(l_1_t, 'could_not_assess'):
                pass
                yield '<p class="note">'
                yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'could_not_assess')))
                yield ': '
                yield escape(environment.finalize(environment.getattr(l_1_t, 'could_not_assess')))
                yield '</p>'
        l_1_t = missing
    yield '\n<h2>'
    yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'findings')))
    yield '</h2>\n<table>\n<thead><tr><th>'
    yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'check')))
    yield '</th><th>'
    yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'status')))
    yield '</th><th>'
    yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'severity')))
    yield '</th><th>'
    yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps')))
    yield '</th><th>'
    yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'reason')))
    yield ' / '
    yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'remediation')))
    yield '</th></tr></thead>\n'
    for l_1_f in environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'findings'):
        l_1_reason_segments = resolve('reason_segments')
        l_1_observed_rows = resolve('observed_rows')
        l_1_tech_segments = resolve('tech_segments')
        _loop_vars = {}
        pass
        yield '<tr id="'
        yield escape(environment.finalize(environment.getattr(l_1_f, 'check_id')))
        yield '">\n<td><code>'
        yield escape(environment.finalize(environment.getattr(l_1_f, 'check_id')))
        yield '</code><br>'
        yield escape(environment.finalize(environment.getitem(environment.getattr(l_1_f, 'title'), (undefined(name='lang') if l_0_lang is missing else l_0_lang))))
        if environment.getattr(l_1_f, 'target'):
            pass
            yield '<br><span class="note mono">'
            yield escape(environment.finalize(environment.getattr(l_1_f, 'target')))
            yield '</span>'
        yield '</td>\n<td class="st st-'
        yield escape(environment.finalize(environment.getattr(l_1_f, 'status')))
        yield '">'
        yield escape(environment.finalize(context.call(environment.getattr((undefined(name='L') if l_0_L is missing else l_0_L), 'status'), environment.getattr(l_1_f, 'status'), _loop_vars=_loop_vars)))
        yield '</td>\n<td><span class="sev sev-'
        yield escape(environment.finalize(environment.getattr(l_1_f, 'severity')))
        yield '">'
        yield escape(environment.finalize(context.call(environment.getattr((undefined(name='L') if l_0_L is missing else l_0_L), 'severity'), environment.getattr(l_1_f, 'severity'), _loop_vars=_loop_vars)))
        yield '</span>'
        if environment.getattr(l_1_f, 'high_risk_case'):
            pass
            yield '<br><span class="note">'
            yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'case')))
            yield ' '
            yield escape(environment.finalize(environment.getattr(l_1_f, 'high_risk_case')))
            yield '</span>'
        yield '</td>\n<td>'
        for l_2_m in environment.getattr(l_1_f, 'mlps'):
            _loop_vars = {}
            pass
            yield '<span class="mono">'
            yield escape(environment.finalize(environment.getattr(l_2_m, 'unit')))
            yield '</span> ('
            yield escape(environment.finalize(environment.getattr(l_2_m, 'clause')))
            yield ')<br>'
        l_2_m = missing
        yield '</td>\n<td>'
        for (l_2_text, l_2_param) in context.call((undefined(name='reason_segments') if l_1_reason_segments is missing else l_1_reason_segments), l_1_f, (undefined(name='lang') if l_0_lang is missing else l_0_lang), _loop_vars=_loop_vars):
            _loop_vars = {}
            pass
            if l_2_param:
                pass
                yield '<code class="p">'
                yield escape(environment.finalize(l_2_text))
                yield '</code>'
            else:
                pass
                yield escape(environment.finalize(l_2_text))
        l_2_text = l_2_param = missing
        if environment.getattr(l_1_f, 'observed'):
            pass
            yield '<details><summary>'
            yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'observed')))
            yield '</summary><table class="kv">'
            for (l_2_k, l_2_v) in context.call((undefined(name='observed_rows') if l_1_observed_rows is missing else l_1_observed_rows), environment.getattr(l_1_f, 'observed'), (undefined(name='lang') if l_0_lang is missing else l_0_lang), _loop_vars=_loop_vars):
                _loop_vars = {}
                pass
                yield '<tr><th class="mono">'
                yield escape(environment.finalize(l_2_k))
                yield '</th><td class="mono">'
                yield escape(environment.finalize(l_2_v))
                yield '</td></tr>'
            l_2_k = l_2_v = missing
            yield '</table></details>'
        if (environment.getattr(l_1_f, 'status') in ('fail', 'error', 'manual')):
            pass
            yield '<details'
            if (environment.getattr(l_1_f, 'status') == 'fail'):
                pass
                yield ' open'
            yield '><summary>'
            yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'remediation')))
            yield '</summary>'
            for (l_2_text, l_2_code) in context.call((undefined(name='tech_segments') if l_1_tech_segments is missing else l_1_tech_segments), environment.getitem(environment.getattr(l_1_f, 'remediation'), (undefined(name='lang') if l_0_lang is missing else l_0_lang)), (undefined(name='lang') if l_0_lang is missing else l_0_lang), _loop_vars=_loop_vars):
                _loop_vars = {}
                pass
                if l_2_code:
                    pass
                    yield '<code>'
                    yield escape(environment.finalize(l_2_text))
                    yield '</code>'
                else:
                    pass
                    yield escape(environment.finalize(l_2_text))
            l_2_text = l_2_code = missing
            yield '</details>'
        yield '</td>\n</tr>\n'
    l_1_f = l_1_reason_segments = l_1_observed_rows = l_1_tech_segments = missing
    yield '</table>\n\n'
    if (undefined(name='qrows') if l_0_qrows is missing else l_0_qrows):
        pass
        yield '<h2>'
        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'questionnaire')))
        yield ' — '
        yield escape(environment.finalize(environment.getitem(environment.getattr(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'questionnaire'), 'definition'), 'title'), (undefined(name='lang') if l_0_lang is missing else l_0_lang))))
        yield '</h2>\n<p class="note">'
        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'questionnaire_note')))
        yield '</p>\n<table>\n<thead><tr><th>#</th><th>'
        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'question')))
        yield '</th><th>'
        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'answer')))
        yield '</th><th>'
        yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'basis')))
        yield '</th></tr></thead>\n'
        for l_1_q in (undefined(name='qrows') if l_0_qrows is missing else l_0_qrows):
            _loop_vars = {}
            pass
            yield '<tr><td>'
            yield escape(environment.finalize(environment.getattr(l_1_q, 'id')))
            yield '</td><td>'
            yield escape(environment.finalize(environment.getattr(l_1_q, 'question')))
            yield '</td><td>'
            if environment.getattr(l_1_q, 'skipped_by'):
                pass
                yield '<span class="note">'
                yield escape(environment.finalize(context.call((undefined(name='D') if l_0_D is missing else l_0_D), 'not_asked', question=environment.getattr(l_1_q, 'skipped_by'), _loop_vars=_loop_vars)))
                yield '</span>'
            else:
                pass
                yield escape(environment.finalize((environment.getattr(l_1_q, 'answer') or '—')))
            yield '</td><td>'
            yield escape(environment.finalize(environment.getattr(l_1_q, 'basis')))
            if environment.getattr(l_1_q, 'evidence'):
                pass
                yield '<br><span class="note mono">'
                yield escape(environment.finalize(environment.getattr(l_1_q, 'evidence')))
                yield '</span>'
            if environment.getattr(l_1_q, 'coverage'):
                pass
                yield '<br><span class="note">'
                yield escape(environment.finalize(context.call((undefined(name='D') if l_0_D is missing else l_0_D), 'partial_evidence', _loop_vars=_loop_vars)))
                yield ': '
                yield escape(environment.finalize(environment.getattr(l_1_q, 'coverage')))
                yield '</span>'
            if environment.getattr(l_1_q, 'note'):
                pass
                yield '<br><span class="note">'
                yield escape(environment.finalize(context.call((undefined(name='D') if l_0_D is missing else l_0_D), 'note', _loop_vars=_loop_vars)))
                yield ': '
                yield escape(environment.finalize(environment.getattr(l_1_q, 'note')))
                yield '</span>'
            if environment.getattr(l_1_q, 'attested_by'):
                pass
                yield '<br><span class="note">'
                yield escape(environment.finalize(environment.getattr(l_1_q, 'attested_by')))
                yield ' '
                yield escape(environment.finalize(environment.getattr(l_1_q, 'attested_at')))
                yield '</span>'
            if environment.getattr(l_1_q, 'conflict'):
                pass
                yield '<br><span class="st-fail">'
                yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'conflict')))
                yield ': '
                yield escape(environment.finalize(environment.getattr(l_1_q, 'conflict')))
                yield '</span>'
            yield '</td></tr>\n'
        l_1_q = missing
        yield '</table>\n'
    yield '\n<h2>'
    yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'evidence')))
    yield '</h2>\n<table>\n<thead><tr><th>'
    yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'collector')))
    yield '</th><th>'
    yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'status')))
    yield '</th><th>'
    yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'method')))
    yield '</th><th>'
    yield escape(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'sources')))
    yield '</th></tr></thead>\n'
    for l_1_e in environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'evidence'):
        l_1_EV = resolve('EV')
        _loop_vars = {}
        pass
        yield '<tr><td><code>'
        yield escape(environment.finalize(environment.getattr(l_1_e, 'collector')))
        yield '</code>'
        if environment.getattr(l_1_e, 'target'):
            pass
            yield '<br><span class="note mono">'
            yield escape(environment.finalize(environment.getattr(l_1_e, 'target')))
            yield '</span>'
        yield '</td><td>'
        yield escape(environment.finalize(context.call((undefined(name='EV') if l_1_EV is missing else l_1_EV), environment.getattr(environment.getattr(l_1_e, 'status'), 'value'), _loop_vars=_loop_vars)))
        if environment.getattr(l_1_e, 'reason'):
            pass
            yield '<br><code class="p">'
            yield escape(environment.finalize(environment.getattr(l_1_e, 'reason')))
            yield '</code>'
        yield '</td><td class="mono">'
        yield escape(environment.finalize((environment.getattr(l_1_e, 'method') or '-')))
        yield '</td>\n<td class="mono">'
        for l_2_s in environment.getattr(l_1_e, 'sources'):
            _loop_vars = {}
            pass
            if (environment.getattr(l_2_s, 'kind') == 'file'):
                pass
                yield escape(environment.finalize(environment.getattr(l_2_s, 'path')))
            elif (environment.getattr(l_2_s, 'kind') == 'command'):
                pass
                yield escape(environment.finalize(t_2(context.eval_ctx, environment.getattr(l_2_s, 'argv'), ' ')))
                if ((not t_4(environment.getattr(l_2_s, 'exit_code'))) and (environment.getattr(l_2_s, 'exit_code') != 0)):
                    pass
                    yield ' [exit '
                    yield escape(environment.finalize(environment.getattr(l_2_s, 'exit_code')))
                    yield ']'
            elif (environment.getattr(l_2_s, 'kind') == 'probe'):
                pass
                yield escape(environment.finalize(environment.getattr(l_2_s, 'protocol')))
                yield ' '
                yield escape(environment.finalize(environment.getattr(l_2_s, 'endpoint')))
            else:
                pass
                yield escape(environment.finalize(environment.getattr(l_2_s, 'api')))
            if (((t_3(environment.getattr(l_2_s, 'sha256')) and environment.getattr(l_2_s, 'sha256')) and (not environment.getattr(l_2_s, 'error'))) and ((not t_3(environment.getattr(l_2_s, 'exit_code'))) or (environment.getattr(l_2_s, 'exit_code') in (None, 0)))):
                pass
                yield ' sha256:'
                yield escape(environment.finalize(environment.getattr(l_2_s, 'sha256')[:12]))
            if environment.getattr(l_2_s, 'error'):
                pass
                yield ' ('
                yield escape(environment.finalize(environment.getattr(l_2_s, 'error')))
                yield ')'
            yield '<br>'
        l_2_s = missing
        yield '</td></tr>\n'
    l_1_e = l_1_EV = missing
    yield '</table>\n<p class="note">'
    yield escape(environment.finalize(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'tool'), 'name')))
    yield ' '
    yield escape(environment.finalize(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'tool'), 'version')))
    yield ' · schema '
    yield escape(environment.finalize(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'schema_version')))
    yield '</p>\n</body>\n</html>'

blocks = {}
debug_info = '2=51&6=53&45=57&46=59&47=71&48=74&49=76&50=78&53=83&55=85&57=92&59=96&60=98&61=102&63=104&64=106&65=117&66=140&67=142&68=149&69=154&72=163&73=166&74=180&75=185&76=193&77=198&80=207&81=210&84=224&85=226&88=234&89=237&95=251&96=259&97=267&101=277&102=279&104=283&105=291&106=303&107=307&108=315&109=329&111=333&112=336&113=338&114=348&118=367&120=369&121=379&123=389&125=391&126=401&128=409&130=411&131=421&132=425&135=437&136=439&137=443&138=482&139=484&140=491&142=509&143=511&144=515&145=517&146=525&147=541&148=543&149=547&150=558&152=568&153=570&154=587&155=628&156=631&157=633&158=637&160=649&161=651&162=655&164=667&167=670&168=676&169=679&171=681&172=689&173=694&178=728&179=731&180=733&181=735&182=739&183=741&184=744&185=768&186=770&190=779&192=781&193=793&194=800&195=802&196=811&197=815&198=827&199=837&200=849&201=864&207=889&208=892&209=896&211=898&212=904&213=908&218=959&220=961&221=969&222=974&223=991&226=1027'