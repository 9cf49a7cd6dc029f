from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'report.md.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_L = resolve('L')
    l_0_r = resolve('r')
    l_0_verification = resolve('verification')
    l_0_banners = resolve('banners')
    l_0_ins = resolve('ins')
    l_0_lang = resolve('lang')
    l_0_qrows = resolve('qrows')
    l_0_p = missing
    try:
        t_1 = environment.filters['cell']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'cell' found.")
    try:
        t_2 = environment.filters['join']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'join' found.")
    try:
        t_3 = environment.tests['none']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No test named 'none' found.")
    pass
    yield '# '
    yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'title'))
    yield ': '
    yield str(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'target'), 'name'))
    yield '\n\n| | |\n|---|---|\n| '
    yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'target'))
    yield ' | '
    yield str(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'target'), 'name'))
    yield ' |\n| '
    yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'os'))
    yield ' | '
    yield str((environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'target'), 'os') or '-'))
    yield ' |\n| '
    yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'profile'))
    yield ' | '
    yield str(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'profile'))
    yield ' |\n| '
    yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'assessed_at'))
    yield ' | '
    yield str(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'run'), 'started_at'))
    yield ' |\n| '
    yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'run_as'))
    yield ' | '
    yield str(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'run'), 'user'))
    yield ' ('
    yield str((environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'privileged') if environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'run'), 'privileged') else environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'unprivileged')))
    yield ') |\n| '
    yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'report_id'))
    yield ' | `'
    yield str(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'report_id'))
    yield '` |\n\n'
    if (not t_3((undefined(name='verification') if l_0_verification is missing else l_0_verification))):
        pass
        yield '## '
        yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'verification'))
        yield '\n\n```text\n'
        yield str(t_2(context.eval_ctx, (undefined(name='verification') if l_0_verification is missing else l_0_verification), '\n'))
        yield '\n```\n'
    else:
        pass
        yield '> '
        yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'signed_note'))
        yield '\n'
    for l_1_b in (undefined(name='banners') if l_0_banners is missing else l_0_banners):
        _loop_vars = {}
        pass
        yield '\n> **'
        yield str(l_1_b)
        yield '**\n'
    l_1_b = missing
    yield '\n## '
    yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'provenance'))
    yield '\n\n'
    l_0_p = environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'provenance')
    context.vars['p'] = l_0_p
    context.exported_vars.add('p')
    yield '| | |\n|---|---|\n| '
    yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mode'))
    yield ' | '
    yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), str_join(('mode_', environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'run'), 'mode'), ))))
    yield ' |\n| '
    yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'catalogue'))
    yield ' | `'
    yield str(environment.getattr(environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'catalogue'), 'version'))
    yield '` ('
    yield str(environment.getattr(environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'catalogue'), 'digest')[:16])
    yield '…) |\n| '
    yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'tool_version'))
    yield ' | '
    yield str(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'tool'), 'name'))
    yield ' '
    yield str(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'tool'), 'version'))
    yield ' |\n| '
    yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'identifiers'))
    yield ' | '
    yield str((t_1(t_2(context.eval_ctx, environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'target'), 'identifiers'), ', ')) or environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'none')))
    yield ' |\n| '
    yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'scope'))
    yield ' | '
    yield str((t_1(t_2(context.eval_ctx, environment.getattr(environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'scope'), 'targets'), ', ')) or environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'none')))
    yield '; '
    yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'ports'))
    yield ': '
    yield str((environment.getattr(environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'scope'), 'ports') or environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'default_ports')))
    yield ' |\n'
    if environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'questionnaire'):
        pass
        yield '| '
        yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'questionnaire_ref'))
        yield ' | '
        yield str(t_1(environment.getattr(environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'questionnaire'), 'id')))
        yield '@'
        yield str(t_1(environment.getattr(environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'questionnaire'), 'version')))
        yield ': '
        yield str((environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'builtin') if environment.getattr(environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'questionnaire'), 'builtin') else environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'not_builtin')))
        yield ', sha256 `'
        yield str(environment.getattr(environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'questionnaire'), 'sha256'))
        yield '` |\n'
    yield '| '
    yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'challenge'))
    yield ' | '
    yield str((environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'challenge') or environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'none')))
    yield ' |\n'
    if environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'overrides'):
        pass
        yield '\n### '
        yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'overrides'))
        yield '\n\n| '
        yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'check'))
        yield ' | '
        yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'param'))
        yield ' | '
        yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'value'))
        yield ' | '
        yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'default'))
        yield ' | '
        yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'effect'))
        yield ' |\n|---|---|---|---|---|\n'
        for l_1_o in environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'overrides'):
            _loop_vars = {}
            pass
            yield '| `'
            yield str(environment.getattr(l_1_o, 'check_id'))
            yield '` | `'
            yield str(environment.getattr(l_1_o, 'param'))
            yield '` | '
            yield str(t_1(environment.getattr(l_1_o, 'value')))
            yield ' | '
            yield str(t_1(environment.getattr(l_1_o, 'default')))
            yield ' | '
            yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), str_join(('effect_', environment.getattr(l_1_o, 'effect'), ))))
            yield ' |\n'
        l_1_o = missing
    yield '\n## '
    yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'summary'))
    yield '\n\n| '
    for l_1_k in environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'summary'), 'by_status'):
        _loop_vars = {}
        pass
        yield str(context.call(environment.getattr((undefined(name='L') if l_0_L is missing else l_0_L), 'status'), l_1_k, _loop_vars=_loop_vars))
        yield ' | '
    l_1_k = missing
    yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'total'))
    yield ' |\n|'
    for l_1_k in environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'summary'), 'by_status'):
        _loop_vars = {}
        pass
        yield '---|'
    l_1_k = missing
    yield '---|\n| '
    for l_1_v in context.call(environment.getattr(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'summary'), 'by_status'), 'values')):
        _loop_vars = {}
        pass
        yield str(l_1_v)
        yield ' | '
    l_1_v = missing
    yield str(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'summary'), 'total'))
    yield ' |\n\n**'
    yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'failed_by_severity'))
    yield ':** '
    l_1_loop = missing
    for (l_1_k, l_1_v), l_1_loop in LoopContext(context.call(environment.getattr(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'summary'), 'failed_by_severity'), 'items')), undefined):
        _loop_vars = {}
        pass
        yield str(context.call(environment.getattr((undefined(name='L') if l_0_L is missing else l_0_L), 'severity'), l_1_k, _loop_vars=_loop_vars))
        yield ' '
        yield str(l_1_v)
        if (not environment.getattr(l_1_loop, 'last')):
            pass
            yield ', '
    l_1_loop = l_1_k = l_1_v = missing
    yield '\n\n| '
    yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'layer'))
    yield ' | '
    for l_1_k in environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'summary'), 'by_status'):
        _loop_vars = {}
        pass
        yield str(context.call(environment.getattr((undefined(name='L') if l_0_L is missing else l_0_L), 'status'), l_1_k, _loop_vars=_loop_vars))
        yield ' | '
    l_1_k = missing
    yield '\n|---|'
    for l_1_k in environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'summary'), 'by_status'):
        _loop_vars = {}
        pass
        yield '---|'
    l_1_k = missing
    yield '\n'
    for (l_1_layer, l_1_counts) in context.call(environment.getattr(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'summary'), 'by_layer'), 'items')):
        _loop_vars = {}
        pass
        yield '| '
        yield str(context.call(environment.getattr((undefined(name='L') if l_0_L is missing else l_0_L), 'layer'), l_1_layer, _loop_vars=_loop_vars))
        yield ' | '
        for l_2_v in context.call(environment.getattr(l_1_counts, 'values'), _loop_vars=_loop_vars):
            _loop_vars = {}
            pass
            yield str(l_2_v)
            yield ' | '
        l_2_v = missing
        yield '\n'
    l_1_layer = l_1_counts = missing
    yield '\n**'
    yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'high_risk'))
    yield ':** '
    if environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'summary'), 'open_high_risk'):
        pass
        l_1_loop = missing
        for l_1_h, l_1_loop in LoopContext(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'summary'), 'open_high_risk'), undefined):
            _loop_vars = {}
            pass
            yield str(environment.getattr(l_1_h, 'case'))
            yield ' (`'
            yield str(environment.getattr(l_1_h, 'check_id'))
            yield '`'
            if environment.getattr(l_1_h, 'target'):
                pass
                yield ' '
                yield str(t_1(environment.getattr(l_1_h, 'target')))
            if (environment.getattr(l_1_h, 'state') == 'mitigable'):
                pass
                yield '; '
                yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'state_mitigable'))
                yield ', '
                yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mitigated_by'))
                yield ' '
                yield str(t_2(context.eval_ctx, environment.getattr(l_1_h, 'mitigated_by'), ', '))
            yield ')'
            if (not environment.getattr(l_1_loop, 'last')):
                pass
                yield ', '
        l_1_loop = l_1_h = missing
    else:
        pass
        yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'none'))
    if environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'summary'), 'high_risk_not_assessed'):
        pass
        yield '\n'
        yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'high_risk_not_assessed'))
        yield ': '
        yield str(t_2(context.eval_ctx, environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'summary'), 'high_risk_not_assessed'), ', '))
        yield '\n'
    yield '\n\n'
    if environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'underwriting'):
        pass
        l_0_ins = environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'underwriting'), 'insurer')
        context.vars['ins'] = l_0_ins
        context.exported_vars.add('ins')
        yield '## '
        yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'underwriting'))
        yield '\n\n**'
        yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'insurer_score'))
        yield ': '
        yield str((environment.getattr((undefined(name='ins') if l_0_ins is missing else l_0_ins), 'score') if (not t_3(environment.getattr((undefined(name='ins') if l_0_ins is missing else l_0_ins), 'score'))) else '—'))
        yield ' / 100, '
        yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'grade'))
        yield ' '
        yield str((environment.getattr((undefined(name='ins') if l_0_ins is missing else l_0_ins), 'grade') or '—'))
        yield '** — '
        if environment.getattr(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'underwriting'), 'hard_fail'), 'binding_blocked'):
            pass
            yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'binding_blocked'))
        elif environment.getattr(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'underwriting'), 'hard_fail'), 'binding_unconfirmed'):
            pass
            yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'binding_unconfirmed'))
        else:
            pass
            yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'binding_clear'))
        yield '\n\n'
        for l_1_e in environment.getattr(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'underwriting'), 'hard_fail'), 'entries'):
            _loop_vars = {}
            pass
            yield '- '
            yield str(environment.getitem(environment.getattr(l_1_e, 'label'), (undefined(name='lang') if l_0_lang is missing else l_0_lang)))
            yield ': '
            yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), str_join(('state_', environment.getattr(l_1_e, 'state'), ))))
            yield '\n'
        l_1_e = missing
        yield '\n'
    if environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'profile_view'):
        pass
        yield '## '
        yield str(environment.getitem(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'profile_view'), 'title'), (undefined(name='lang') if l_0_lang is missing else l_0_lang)))
        yield '\n\n'
        for l_1_i in environment.getitem(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'profile_view'), 'items'):
            _loop_vars = {}
            pass
            yield '- `'
            yield str(environment.getattr(l_1_i, 'check_id'))
            yield '` '
            yield str(environment.getitem(environment.getattr(l_1_i, 'title'), (undefined(name='lang') if l_0_lang is missing else l_0_lang)))
            if environment.getattr(l_1_i, 'target'):
                pass
                yield ' ('
                yield str(environment.getattr(l_1_i, 'target'))
                yield ')'
            yield ': '
            yield str(context.call(environment.getattr((undefined(name='L') if l_0_L is missing else l_0_L), 'status'), environment.getattr(l_1_i, 'status'), _loop_vars=_loop_vars))
            yield ', '
            yield str(context.call(environment.getattr((undefined(name='L') if l_0_L is missing else l_0_L), 'severity'), environment.getattr(l_1_i, 'severity'), _loop_vars=_loop_vars))
            yield '\n'
        l_1_i = missing
        yield '\n'
    if environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'scanner_view'):
        pass
        yield '## '
        yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'scanner_view'))
        yield '\n\n'
        l_1_loop = missing
        for l_1_t, l_1_loop in LoopContext(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'scanner_view'), 'targets'), undefined):
            _loop_vars = {}
            pass
            yield '- `'
            yield str(environment.getattr(l_1_t, 'target'))
            yield '`: '
            if environment.getattr(l_1_t, 'issues'):
                pass
                l_2_loop = missing
                for l_2_i, l_2_loop in LoopContext(environment.getattr(l_1_t, 'issues'), undefined):
                    _loop_vars = {}
                    pass
                    yield str(context.call(environment.getattr((undefined(name='L') if l_0_L is missing else l_0_L), 'severity'), environment.getattr(l_2_i, 'severity'), _loop_vars=_loop_vars))
                    yield ' `'
                    yield str(environment.getattr(l_2_i, 'check_id'))
                    yield '` '
                    yield str(environment.getitem(environment.getattr(l_2_i, 'title'), (undefined(name='lang') if l_0_lang is missing else l_0_lang)))
                    if (not environment.getattr(l_2_loop, 'last')):
                        pass
                        yield '; '
                l_2_loop = l_2_i = missing
            else:
                pass
                yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'no_issues'))
            yield '\n'
        l_1_loop = l_1_t = missing
    yield '## '
    yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'findings'))
    yield '\n\n| '
    yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'check'))
    yield ' | '
    yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'status'))
    yield ' | '
    yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'severity'))
    yield ' | '
    yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps'))
    yield ' | '
    yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'reason'))
    yield ' |\n|---|---|---|---|---|\n'
    l_1_loop = missing
    for l_1_f, l_1_loop in LoopContext(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'findings'), undefined):
        _loop_vars = {}
        pass
        yield '| `'
        yield str(environment.getattr(l_1_f, 'check_id'))
        yield '` '
        yield str(t_1(environment.getitem(environment.getattr(l_1_f, 'title'), (undefined(name='lang') if l_0_lang is missing else l_0_lang))))
        if environment.getattr(l_1_f, 'target'):
            pass
            yield ' ('
            yield str(environment.getattr(l_1_f, 'target'))
            yield ')'
        yield ' | '
        yield str(context.call(environment.getattr((undefined(name='L') if l_0_L is missing else l_0_L), 'status'), environment.getattr(l_1_f, 'status'), _loop_vars=_loop_vars))
        yield ' | '
        yield str(context.call(environment.getattr((undefined(name='L') if l_0_L is missing else l_0_L), 'severity'), environment.getattr(l_1_f, 'severity'), _loop_vars=_loop_vars))
        if environment.getattr(l_1_f, 'high_risk_case'):
            pass
            yield ' ('
            yield str(environment.getattr(l_1_f, 'high_risk_case'))
            yield ')'
        yield ' | '
        l_2_loop = missing
        for l_2_m, l_2_loop in LoopContext(environment.getattr(l_1_f, 'mlps'), undefined):
            _loop_vars = {}
            pass
            yield str(environment.getattr(l_2_m, 'unit'))
            if (not environment.getattr(l_2_loop, 'last')):
                pass
                yield ', '
        l_2_loop = l_2_m = missing
        yield ' | '
        yield str(t_1((environment.getattr(l_1_f, 'reason') or '')))
        yield ' |\n'
    l_1_loop = l_1_f = missing
    yield '\n## '
    yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'remediation'))
    yield '\n\n'
    def t_4(fiter):
        for l_1_f in fiter:
            if (environment.getattr(l_1_f, 'status') == 'fail'):
                yield l_1_f
    t_5 = 1
    for l_1_f in t_4(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'findings')):
        _loop_vars = {}
        pass
        yield '- **`'
        yield str(environment.getattr(l_1_f, 'check_id'))
        yield '` '
        yield str(environment.getitem(environment.getattr(l_1_f, 'title'), (undefined(name='lang') if l_0_lang is missing else l_0_lang)))
        yield '** ('
        yield str(context.call(environment.getattr((undefined(name='L') if l_0_L is missing else l_0_L), 'severity'), environment.getattr(l_1_f, 'severity'), _loop_vars=_loop_vars))
        yield '): '
        yield str(environment.getitem(environment.getattr(l_1_f, 'remediation'), (undefined(name='lang') if l_0_lang is missing else l_0_lang)))
        yield '\n'
        t_5 = 0
    l_1_f = missing
    if t_5:
        pass
        yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'none'))
        yield '\n'
    yield '\n'
    if (undefined(name='qrows') if l_0_qrows is missing else l_0_qrows):
        pass
        yield '## '
        yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'questionnaire'))
        yield ': '
        yield str(environment.getitem(environment.getattr(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'questionnaire'), 'definition'), 'title'), (undefined(name='lang') if l_0_lang is missing else l_0_lang)))
        yield '\n\n> '
        yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'questionnaire_note'))
        yield '\n\n| # | '
        yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'question'))
        yield ' | '
        yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'answer'))
        yield ' | '
        yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'basis'))
        yield ' |\n|---|---|---|---|\n'
        for l_1_q in (undefined(name='qrows') if l_0_qrows is missing else l_0_qrows):
            _loop_vars = {}
            pass
            yield '| '
            yield str(environment.getattr(l_1_q, 'id'))
            yield ' | '
            yield str(t_1(environment.getattr(l_1_q, 'question')))
            yield ' | '
            yield str(t_1((environment.getattr(l_1_q, 'answer') or '—')))
            yield ' | '
            yield str(environment.getattr(l_1_q, 'basis'))
            if environment.getattr(l_1_q, 'conflict'):
                pass
                yield ' ('
                yield str(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'conflict'))
                yield ': '
                yield str(t_1(environment.getattr(l_1_q, 'conflict')))
                yield ')'
            yield ' |\n'
        l_1_q = missing
        yield '\n'
    yield '---\n'
    yield str(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'tool'), 'name'))
    yield ' '
    yield str(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'tool'), 'version'))
    yield ' · schema '
    yield str(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'schema_version'))

blocks = {}
debug_info = '1=38&5=42&6=46&7=50&8=54&9=58&10=64&12=68&13=71&16=73&19=78&21=80&23=84&26=88&28=90&31=94&32=98&33=104&34=110&35=114&36=122&37=125&39=136&40=140&42=143&44=145&46=155&47=159&51=171&53=173&54=181&55=187&57=195&60=209&62=218&64=224&65=228&69=239&70=271&72=274&76=279&77=281&78=285&80=287&83=305&84=309&88=315&89=318&91=320&92=324&96=339&97=342&99=345&100=349&104=372&106=374&108=385&109=389&112=421&114=423&115=432&117=444&120=447&121=450&123=454&125=456&127=462&128=466&133=484'